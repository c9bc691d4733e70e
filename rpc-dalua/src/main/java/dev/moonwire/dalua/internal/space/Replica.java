package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One member's copy of a replicated space: a deterministic state machine. Every member applies
 * the same {@link SpaceOp}s in the group's total order, so every copy holds the same tuples,
 * the same waiting requests and the same loans, and each decides the same thing — who gets
 * which tuple, which {@code out} is refused for want of room. Only the member a request came
 * from tells its caller ({@link Effects}). No decision reads a clock: a lease's end is an
 * {@link SpaceOp.Expire} in the order like the rest (the local deadline kept here only tells a
 * joiner how long its timer should run).
 *
 * <p>State confined to the process's events (deliveries are events, one at a time).
 */
final class Replica {
  /** How many taken tuples a member remembers, for an {@code in} cancelled after its match. */
  static final int REMEMBERED = 65_536;
  /** How many requests may wait at once, every member's together. */
  static final int MAX_WAITING = 100_000;

  /** What applying an operation does outside the copy: only at the request's own member. */
  interface Effects {
    ProcessId self();

    /** Request {@code req} of this member got {@code t} (null: nothing, for inp/rdp; or done). */
    void answer(long req, Tuple t);

    /** Request {@code req} of this member failed. */
    void fail(long req, RuntimeException e);

    /** Tuple {@code seq}'s lease ends after {@code millis}: send its Expire then. */
    void leaseEnds(long seq, long millis);
  }

  /** A request: the member it came from and its number there. */
  record Req(ProcessId origin, long req) {}

  /** A waiting in, rd or take. */
  record Waiting(Req req, WireTemplate template, int mode) {}

  /** Where a tuple is when it is out of the space but may come back: its request and entry. */
  record Held(Req req, Store.Entry entry) {}

  final String group;
  final Store store;
  /** Waiting requests in the order they were applied: served oldest first. */
  final LinkedHashMap<Req, Waiting> waiting = new LinkedHashMap<>();
  /** Tuples taken on loan (take not done yet): back if the taker goes. */
  final Map<Req, Store.Entry> loans = new HashMap<>();
  /** Tuples recently taken by in: back if the in's Cancel comes after its match. */
  final LinkedHashMap<Req, Store.Entry> recentIns = new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Req, Store.Entry> eldest) {
      if (size() > REMEMBERED) {
        owners.remove(eldest.getValue().seq());
        return true;
      }
      return false;
    }
  };
  /** The writer of each whileAlive tuple, by number. */
  final Map<Long, ProcessId> owners = new HashMap<>();
  /** Timed tuples, by number: when their lease ends here ({@code System.nanoTime}). */
  final Map<Long, Long> leases = new HashMap<>();
  /** Tuples whose lease ended while they were out: they do not come back. */
  final Set<Long> expired = new HashSet<>();
  /** Members the directory holds gone; their later requests are ignored (until they sync again). */
  final LinkedHashSet<ProcessId> gone = new LinkedHashSet<>();
  /** Each member's latest Sync applied (founders' too): which of its copies a Gone is about. */
  final LinkedHashMap<ProcessId, Long> syncs = new LinkedHashMap<>();
  /** Members holding a copy, oldest first: the first live one sends a joiner the state. */
  final List<ProcessId> holders = new ArrayList<>();

  private final Effects effects;

  Replica(String group, SpaceLimits limits, Effects effects) {
    this.group = group;
    this.store = new Store(group, limits);
    this.effects = effects;
  }

  private boolean mine(Req r) {
    return r.origin().equals(effects.self());
  }

  void apply(SpaceOp op) {
    switch (op) {
      case SpaceOp.Out o -> out(o);
      case SpaceOp.Ask a -> ask(a);
      case SpaceOp.Cancel c -> cancel(new Req(c.origin(), c.req()));
      case SpaceOp.Done d -> {
        done(new Req(d.origin(), d.req()));
        answerIfMine(new Req(d.origin(), d.ack()), null);
      }
      case SpaceOp.Expire e -> expire(e.seq());
      case SpaceOp.Gone g -> {
        if (Long.valueOf(g.syncId()).equals(syncs.get(g.process()))) {
          gone(g.process());
        } // else about an older copy of a member that synced again since: stale
      }
      case SpaceOp.Sync s -> synced(s.joiner(), s.id());
    }
  }

  private void out(SpaceOp.Out o) {
    Req r = new Req(o.origin(), o.req());
    if (o.lease() == SpaceOp.WHILE_ALIVE && gone.contains(o.origin())) {
      answerIfMine(r, null); // its writer is gone: the tuple would be gone at once
      return;
    }
    Tuple t;
    try {
      t = Tuple.of(o.fields());
    } catch (RuntimeException bad) { // a hostile or broken writer: refused alike everywhere
      failIfMine(r, new IllegalArgumentException("tuple space '" + group + "': " + bad.getMessage()));
      return;
    }
    long size = WireCheck.bytes(t);
    Store.Entry e = store.create(t, size);
    if (!offer(e, true, size)) {
      failIfMine(r, lastRefusal);
      return;
    }
    if (o.lease() == SpaceOp.WHILE_ALIVE) {
      owners.put(e.seq(), o.origin());
    } else if (o.lease() == SpaceOp.TIMED) {
      leases.put(e.seq(), System.nanoTime() + o.leaseMillis() * 1_000_000L);
      effects.leaseEnds(e.seq(), o.leaseMillis());
    }
    answerIfMine(r, null);
  }

  private OverloadedException lastRefusal;

  /**
   * Offers {@code e} to the waiting requests, oldest first — each rd it passes reads it, the
   * first in or take takes it — and puts it in the space if none took it. A new tuple
   * ({@code fresh}) is refused if the space is full and nobody took it; one coming back never is.
   */
  private boolean offer(Store.Entry e, boolean fresh, long size) {
    for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (!w.template().matches(e.tuple())) {
        continue;
      }
      it.remove();
      answerIfMine(w.req(), e.tuple());
      if (w.mode() == SpaceOp.TAKE) {
        loans.put(w.req(), e);
        return true;
      }
      if (w.mode() == SpaceOp.IN) {
        recentIns.put(w.req(), e);
        return true;
      }
    }
    if (fresh) {
      try {
        store.checkRoom(size);
      } catch (OverloadedException full) {
        lastRefusal = full;
        return false;
      }
    }
    store.restore(e);
    return true;
  }

  private void ask(SpaceOp.Ask a) {
    Req r = new Req(a.origin(), a.req());
    if (gone.contains(a.origin())) {
      return; // nobody to answer, and a loan to the dead would never come back
    }
    WireTemplate t = a.template();
    Store.Entry e = store.oldest(t.size(), t::matches);
    if (e == null) {
      if (a.mode() == SpaceOp.INP || a.mode() == SpaceOp.RDP) {
        answerIfMine(r, null);
      } else if (waiting.size() >= MAX_WAITING) { // decided alike everywhere: memory stays bounded
        failIfMine(r, new OverloadedException("tuple space '" + group + "': " + MAX_WAITING
            + " requests wait already (limit: " + MAX_WAITING + " waiting requests); this one "
            + "was refused"));
      } else {
        waiting.put(r, new Waiting(r, t, a.mode()));
      }
      return;
    }
    switch (a.mode()) {
      case SpaceOp.RD, SpaceOp.RDP -> answerIfMine(r, e.tuple());
      case SpaceOp.TAKE -> {
        store.remove(e);
        loans.put(r, e);
        answerIfMine(r, e.tuple());
      }
      default -> {
        store.remove(e);
        recentIns.put(r, e);
        answerIfMine(r, e.tuple());
      }
    }
  }

  /** The request's caller gave up: withdrawn, or its tuple back as old as it was. */
  private void cancel(Req r) {
    if (waiting.remove(r) != null) {
      return;
    }
    Store.Entry e = recentIns.remove(r);
    if (e == null) {
      e = loans.remove(r);
    }
    if (e != null) {
      giveBack(e);
    }
  }

  private void done(Req r) {
    Store.Entry e = loans.remove(r);
    if (e != null) {
      forget(e.seq());
    }
  }

  private void forget(long seq) {
    owners.remove(seq);
    leases.remove(seq);
    expired.remove(seq);
  }

  /** A tuple out on loan comes back, unless its lease ended or its whileAlive writer went. */
  private void giveBack(Store.Entry e) {
    ProcessId owner = owners.get(e.seq());
    if (expired.contains(e.seq()) || (owner != null && gone.contains(owner))) {
      forget(e.seq());
      return;
    }
    offer(e, false, e.bytes);
  }

  private void expire(long seq) {
    if (store.remove(seq) != null) {
      forget(seq);
    } else if (leases.containsKey(seq)) {
      expired.add(seq); // out on loan: it does not come back
    }
  }

  private void gone(ProcessId p) {
    if (!gone.add(p)) {
      return;
    }
    while (gone.size() > REMEMBERED) {
      gone.remove(gone.iterator().next());
    }
    holders.remove(p);
    waiting.values().removeIf(w -> w.req().origin().equals(p));
    List<Store.Entry> back = new ArrayList<>();
    for (Iterator<Map.Entry<Req, Store.Entry>> it = loans.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Req, Store.Entry> l = it.next();
      if (l.getKey().origin().equals(p)) {
        back.add(l.getValue());
        it.remove();
      }
    }
    back.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    List<Long> theirs = owners.entrySet().stream()
        .filter(o -> o.getValue().equals(p)).map(Map.Entry::getKey).sorted().toList();
    for (long seq : theirs) {
      if (store.remove(seq) != null) {
        forget(seq);
      }
    }
    for (Store.Entry e : back) {
      giveBack(e);
    }
  }

  private void synced(ProcessId joiner, long id) {
    syncs.remove(joiner);
    syncs.put(joiner, id); // the latest last: the eldest go first past the bound
    while (syncs.size() > REMEMBERED) {
      syncs.remove(syncs.keySet().iterator().next());
    }
    gone.remove(joiner); // it takes part again: its requests count from here
    if (!holders.contains(joiner)) {
      holders.add(joiner);
    }
  }

  /** The latest Sync of {@code p} applied here, or 0 if none (then a Gone about it is stale). */
  long syncOf(ProcessId p) {
    return syncs.getOrDefault(p, 0L);
  }

  /** The member that sends a joiner the state: the oldest holder not held gone. */
  ProcessId donor() {
    return holders.isEmpty() ? null : holders.get(0);
  }

  private void answerIfMine(Req r, Tuple t) {
    if (mine(r)) {
      effects.answer(r.req(), t);
    }
  }

  private void failIfMine(Req r, RuntimeException e) {
    if (mine(r)) {
      effects.fail(r.req(), e);
    }
  }
}
