package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.internal.HeldBytes;
import dev.moonwire.dalua.internal.space.StateChunk.AskState;
import dev.moonwire.dalua.internal.space.StateChunk.EntryState;
import dev.moonwire.dalua.internal.space.StateChunk.HeldState;
import dev.moonwire.rpc.ProcessId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cuts a {@link Replica}'s state into {@link StateChunk}s of at most {@link #CHUNK_BYTES} (a
 * sixteenth of the default frame limit) and puts it back together at the joiner.
 */
final class StateTransfer {
  /** About how many bytes of tuples one chunk carries. */
  static final long CHUNK_BYTES = 1L << 20;

  private StateTransfer() {}

  /** The state of {@code r} now, in chunks, for the joiner whose sync is {@code syncId}. */
  static List<StateChunk> cut(Replica r, long syncId) {
    long now = System.nanoTime();
    List<StateChunk> chunks = new ArrayList<>();
    List<EntryState> entries = new ArrayList<>();
    List<HeldState> held = new ArrayList<>();
    long bytes = 0;
    for (Store.Entry e : r.store.entries()) {
      entries.add(state(r, e, now));
      bytes += e.bytes;
      if (bytes >= CHUNK_BYTES) {
        chunks.add(chunk(r, syncId, chunks.size(), false, entries, held, List.of()));
        entries.clear();
        bytes = 0;
      }
    }
    for (boolean loan : new boolean[] {true, false}) {
      Map<Replica.Req, Store.Entry> from = loan ? r.loans : r.recentIns;
      for (Map.Entry<Replica.Req, Store.Entry> h : from.entrySet()) {
        held.add(new HeldState(h.getKey().origin(), h.getKey().req(), loan,
            state(r, h.getValue(), now)));
        bytes += h.getValue().bytes;
        if (bytes >= CHUNK_BYTES) {
          chunks.add(chunk(r, syncId, chunks.size(), false, entries, held, List.of()));
          entries.clear();
          held.clear();
          bytes = 0;
        }
      }
    }
    List<AskState> asks = new ArrayList<>();
    for (Replica.Waiting w : r.waiting.values()) {
      asks.add(new AskState(w.req().origin(), w.req().req(), w.template(), w.mode()));
    }
    chunks.add(chunk(r, syncId, chunks.size(), true, entries, held, asks));
    return chunks;
  }

  private static EntryState state(Replica r, Store.Entry e, long now) {
    Long deadline = r.leases.get(e.seq());
    long left = deadline == null ? -1 : Math.max(0, (deadline - now) / 1_000_000L);
    return new EntryState(e.seq(), e.tuple().fields().toArray(), r.owners.get(e.seq()), left,
        r.expired.contains(e.seq()));
  }

  private static StateChunk chunk(Replica r, long syncId, int index, boolean last,
      List<EntryState> entries, List<HeldState> held, List<AskState> asks) {
    return new StateChunk(r.group, syncId, index, last, new ArrayList<>(entries),
        new ArrayList<>(held), new ArrayList<>(asks),
        last ? new ArrayList<>(r.gone) : new ArrayList<ProcessId>(),
        last ? new ArrayList<>(r.holders) : new ArrayList<ProcessId>(),
        last ? r.store.nextSeq() : -1,
        last ? r.syncs.entrySet().stream()
            .map(e -> new StateChunk.SyncState(e.getKey(), e.getValue()))
            .collect(java.util.stream.Collectors.toCollection(ArrayList::new))
            : new ArrayList<StateChunk.SyncState>());
  }

  /**
   * Puts one chunk into {@code r} (a new, empty copy). Returns the leases to start: seq to
   * milliseconds left.
   */
  static void load(Replica r, StateChunk c, Map<Long, Long> leasesToStart) {
    long now = System.nanoTime();
    for (EntryState e : c.entries()) {
      r.store.restore(entry(r, e, now, leasesToStart));
    }
    for (HeldState h : c.held()) {
      Store.Entry e = entry(r, h.entry(), now, leasesToStart);
      Replica.Req req = new Replica.Req(h.origin(), h.req());
      (h.loan() ? r.loans : r.recentIns).put(req, e);
    }
    for (AskState a : c.asks()) {
      Replica.Req req = new Replica.Req(a.origin(), a.req());
      r.waiting.put(req, new Replica.Waiting(req, a.template(), a.mode()));
    }
    if (c.last()) {
      r.gone.addAll(c.gone());
      r.holders.addAll(c.holders());
      r.store.nextSeq(c.nextSeq());
      for (StateChunk.SyncState sync : c.syncs()) {
        r.syncs.put(sync.member(), sync.id());
      }
    }
  }

  private static Store.Entry entry(Replica r, EntryState s, long now, Map<Long, Long> leases) {
    Tuple t = Tuple.of(s.fields());
    Store.Entry e = r.store.entry(s.seq(), t, HeldBytes.estimate("", s.fields()));
    if (s.owner() != null) {
      r.owners.put(s.seq(), s.owner());
    }
    if (s.leaseMillis() >= 0) {
      r.leases.put(s.seq(), now + s.leaseMillis() * 1_000_000L);
      leases.put(s.seq(), s.leaseMillis());
    }
    if (s.expired()) {
      r.expired.add(s.seq());
    }
    return e;
  }
}
