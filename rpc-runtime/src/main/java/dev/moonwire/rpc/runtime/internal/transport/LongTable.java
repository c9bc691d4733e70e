package dev.moonwire.rpc.runtime.internal.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * A table from call ids to calls, shared by the threads of one connection. Open addressing over
 * a {@code long[]}: a put and a remove allocate nothing, where a {@code ConcurrentHashMap<Long,
 * V>} allocates a boxed key for each and a node for each put — four objects per call across the
 * two tables. Every operation takes the table's monitor, which only the few threads of one
 * connection ever contend for, and briefly; {@link #size()} is read without it.
 */
public final class LongTable<V> {
  private static final int FIRST = 8;
  private final IntFunction<Object[]> newValues;
  private long[] keys = new long[FIRST];
  private Object[] values; // null marks a free slot: any id may be a key
  private volatile int size;
  // The keys of the running table are ids the peer chooses: with a fixed hash it could pick ids
  // that all land in one slot and make every put and every CANCEL of an absent id scan them all.
  // A secret seed per table, mixed through a full 64-bit finalizer, leaves it nothing to aim at.
  private final long seed = ThreadLocalRandom.current().nextLong();
  /** Slots looked at past the first, for tests that check chains stay short. */
  long probes; // guarded by this

  public LongTable() {
    this(Object[]::new);
  }

  /** A table that makes its value arrays with {@code newValues}: tests make it run out. */
  LongTable(IntFunction<Object[]> newValues) {
    this.newValues = newValues;
    this.values = newValues.apply(FIRST);
  }

  public int size() {
    return size;
  }

  /**
   * Puts {@code value} under {@code key} unless the key is taken; returns what holds it. If the
   * table cannot grow it throws {@link OutOfMemoryError} having changed nothing.
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // written under the monitor; volatile for size()
  public synchronized V putIfAbsent(long key, V value) {
    int i = slot(key);
    if (values[i] != null) {
      return value(i);
    }
    if ((size + 1) * 2 > keys.length) { // grown first: a put that throws has put nothing
      resize(keys.length * 2);
      i = slot(key);
    }
    keys[i] = key;
    values[i] = value;
    size = size + 1;
    return null;
  }

  public synchronized V get(long key) {
    return value(slot(key));
  }

  /** Removes and returns what is under {@code key}, or null. Never throws. */
  public synchronized V remove(long key) {
    int i = slot(key);
    V v = value(i);
    if (v != null) {
      delete(i);
    }
    return v;
  }

  /** Removes {@code value} if it is what {@code key} holds. Never throws. */
  public synchronized boolean remove(long key, V value) {
    int i = slot(key);
    if (values[i] != value || value == null) {
      return false;
    }
    delete(i);
    return true;
  }

  /** A copy of the values: what acts on them must not run under the table's monitor. */
  public synchronized List<V> values() {
    List<V> out = new ArrayList<>(size);
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        out.add(value(i));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked") // only Vs are put
  private V value(int i) {
    return (V) values[i];
  }

  /** The slot holding {@code key}, or the free slot where it would go. */
  private int slot(long key) {
    return slot(keys, values, key);
  }

  private int slot(long[] keys, Object[] values, long key) {
    int mask = keys.length - 1;
    int i = hash(key) & mask;
    while (values[i] != null && keys[i] != key) {
      i = (i + 1) & mask;
      probes++;
    }
    return i;
  }

  /** MurmurHash3's fmix64 of the seeded key: every key bit reaches every slot bit. */
  private int hash(long key) {
    long h = key ^ seed;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (int) h;
  }

  /** Frees slot {@code i}, moving back the entries after it that probed past it. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // written under the monitor; volatile for size()
  private void delete(int i) {
    int mask = keys.length - 1;
    int free = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      if (values[j] == null) {
        break;
      }
      int home = hash(keys[j]) & mask;
      // the entry at j may move to free if its home is not cyclically in (free, j]
      boolean between = free <= j ? free < home && home <= j : free < home || home <= j;
      if (!between) {
        keys[free] = keys[j];
        values[free] = values[j];
        free = j;
      }
    }
    values[free] = null;
    size = size - 1;
    // A table that grew for a burst gives its memory back: idle connections stay small.
    if (keys.length > FIRST && size * 8 < keys.length) {
      try {
        resize(keys.length / 2);
      } catch (OutOfMemoryError e) {
        // Best effort: the entry is gone whatever happens here, and a remove that threw would
        // leave its caller believing otherwise (a call never ended, its share never released).
        // The bigger table stays, and the next remove tries again.
      }
    }
  }

  /** Rehashes into new arrays, made before either is kept: running out leaves the table whole. */
  private void resize(int capacity) {
    long[] newKeys = new long[capacity];
    Object[] newVals = newValues.apply(capacity);
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != null) {
        int j = slot(newKeys, newVals, keys[i]);
        newKeys[j] = keys[i];
        newVals[j] = values[i];
      }
    }
    keys = newKeys;
    values = newVals;
  }
}
