package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.List;

/** What replicated spaces need of the DALua they run in; {@code Dalua} gives one. */
public interface SpaceHost {
  /** The process the spaces' state belongs to: every change runs as one of its events. */
  RpcProcess process();

  /** Sends {@code op} in {@code group}'s total order, to its function ({@link SpacePeer#functionOf}). */
  void multicast(String group, SpaceOp op);

  /**
   * The current members of {@code group}, read from the directory (inside an event this may
   * suspend it).
   *
   * @throws dev.moonwire.rpc.GroupException if the group does not exist
   */
  List<ProcessId> members(String group);

  /** Delays for leases, time-outs and sync retries. */
  Scheduler scheduler();

  /** Reports {@code e} to the process's uncaught-error handler. */
  void report(RuntimeException e);
}
