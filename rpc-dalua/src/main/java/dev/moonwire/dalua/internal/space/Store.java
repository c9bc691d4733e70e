package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.rpc.OverloadedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tuples of one space in the order they were written: each gets a number from one counter,
 * and a tuple given back (a loan returned) keeps its number, so it is as old as it was. Indexed
 * by arity, so a template scans only the tuples of its size. Not thread-safe: the local space
 * guards it with its lock, a replica keeps it on its process's events.
 */
public final class Store {
  /** A tuple in the space (or on loan from it). */
  public static final class Entry {
    final long seq;
    final Tuple tuple;
    final long bytes;
    /** What removes it when its lease ends, or null. */
    Runnable expiry;

    Entry(long seq, Tuple tuple, long bytes) {
      this.seq = seq;
      this.tuple = tuple;
      this.bytes = bytes;
    }

    public long seq() {
      return seq;
    }

    public Tuple tuple() {
      return tuple;
    }
  }

  private final String name;
  private final SpaceLimits limits;
  private final Map<Integer, TreeMap<Long, Entry>> bySize = new HashMap<>();
  private final TreeMap<Long, Entry> all = new TreeMap<>();
  private long bytes;
  private long nextSeq;

  public Store(String name, SpaceLimits limits) {
    this.name = name;
    this.limits = limits;
  }

  /**
   * Throws unless a tuple of {@code size} bytes fits.
   *
   * @throws OverloadedException naming the space and the limit reached
   */
  public void checkRoom(long size) {
    if (all.size() >= limits.tuples()) {
      throw new OverloadedException("tuple space '" + name + "' is full: it holds "
          + all.size() + " tuples (limit: " + limits.tuples() + " tuples, " + limits.bytes()
          + " bytes); nothing was written");
    }
    if (bytes + size > limits.bytes()) {
      throw new OverloadedException("tuple space '" + name + "' is full: it holds " + bytes
          + " bytes and the tuple takes about " + size + " (limit: " + limits.bytes()
          + " bytes, " + limits.tuples() + " tuples); nothing was written");
    }
  }

  /** Adds {@code t} as the newest tuple (room checked before). */
  public Entry add(Tuple t, long size) {
    Entry e = new Entry(nextSeq++, t, size);
    put(e);
    return e;
  }

  /** Puts {@code e} in at its place by number (a loan returned: as old as it was); never refused. */
  public void restore(Entry e) {
    if (!all.containsKey(e.seq)) {
      put(e);
    }
  }

  private void put(Entry e) {
    all.put(e.seq, e);
    bySize.computeIfAbsent(e.tuple.size(), k -> new TreeMap<>()).put(e.seq, e);
    bytes += e.bytes;
  }

  /** The oldest tuple matching {@code template}, or null. */
  public Entry oldest(Template template) {
    return oldest(template.size(), template::matches);
  }

  /** The oldest tuple of {@code size} fields that {@code matches}, or null. */
  public Entry oldest(int size, java.util.function.Predicate<Tuple> matches) {
    TreeMap<Long, Entry> candidates = bySize.get(size);
    if (candidates == null) {
      return null;
    }
    for (Entry e : candidates.values()) {
      if (matches.test(e.tuple)) {
        return e;
      }
    }
    return null;
  }

  /** A new entry, the newest, not yet in the space: {@link #restore} puts it in. */
  public Entry create(Tuple t, long size) {
    return new Entry(nextSeq++, t, size);
  }

  /** Whether the tuple numbered {@code seq} is in the space. */
  public boolean contains(long seq) {
    return all.containsKey(seq);
  }

  /** Removes {@code e}; false if it was not here. */
  public boolean remove(Entry e) {
    return remove(e.seq) != null;
  }

  /** Removes the tuple numbered {@code seq}; null if none is here. */
  public Entry remove(long seq) {
    Entry e = all.remove(seq);
    if (e == null) {
      return null;
    }
    TreeMap<Long, Entry> same = bySize.get(e.tuple.size());
    same.remove(seq);
    if (same.isEmpty()) {
      bySize.remove(e.tuple.size());
    }
    bytes -= e.bytes;
    return e;
  }

  /** The tuple numbered {@code seq}, or null. */
  public Entry get(long seq) {
    return all.get(seq);
  }

  /** Every tuple, oldest first (a copy). */
  public List<Entry> entries() {
    return new ArrayList<>(all.values());
  }

  /** The number the next tuple gets. */
  public long nextSeq() {
    return nextSeq;
  }

  /** Makes the next number {@code seq} (a replica that received the others' state). */
  public void nextSeq(long seq) {
    nextSeq = seq;
  }

  /** The entry numbered {@code seq} for {@code t}, not put in (state transfer). */
  public Entry entry(long seq, Tuple t, long size) {
    return new Entry(seq, t, size);
  }

  public int size() {
    return all.size();
  }

  public long bytes() {
    return bytes;
  }

  public String name() {
    return name;
  }
}
