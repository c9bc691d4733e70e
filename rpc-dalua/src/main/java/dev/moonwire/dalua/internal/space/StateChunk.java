package dev.moonwire.dalua.internal.space;

import dev.moonwire.rpc.ProcessId;
import java.util.List;

/**
 * A part of a replicated space's state, sent by its donor to a member that joined, in order,
 * each well under the frame limit: tuples first, then tuples out on loan or recently taken,
 * and in the last part the waiting requests and the group's bookkeeping. Lists, not arrays:
 * the wire carries lists of registered records, and arrays only of its built-in types.
 */
public record StateChunk(String group, long syncId, int index, boolean last,
    List<EntryState> entries, List<HeldState> held, List<AskState> asks, List<ProcessId> gone,
    List<ProcessId> holders, long nextSeq, List<SyncState> syncs) {

  /** The latest Sync applied of a member: a Gone naming another is stale. */
  public record SyncState(ProcessId member, long id) {}

  /** A tuple: its number, fields, whileAlive writer (or null), lease left in ms (or -1). */
  @SuppressWarnings("ArrayRecordComponent")
  public record EntryState(long seq, Object[] fields, ProcessId owner, long leaseMillis,
      boolean expired) {}

  /** A tuple out of the space that may come back: on loan to a take, or taken by an in. */
  public record HeldState(ProcessId origin, long req, boolean loan, EntryState entry) {}

  /** A waiting request. */
  public record AskState(ProcessId origin, long req, WireTemplate template, int mode) {}
}
