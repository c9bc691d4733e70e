package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;

/**
 * What the ordered multicasts need of the DALua they run in: its process, its directory, its
 * failure detector, the held-back bytes of all groups, a clock for retries, and where to tell
 * what happened. {@code Dalua} gives one; the algorithms see nothing else of it.
 */
public interface MulticastHost {
  /** The process the algorithms' state belongs to: every change runs as one of its events. */
  RpcProcess process();

  /**
   * The current members of {@code app}, read from the directory: inside an event this may
   * suspend it, so state read before must be read again after.
   *
   * @throws dev.moonwire.rpc.RpcException if the directory cannot be read
   */
  List<ProcessId> members(String app);

  /**
   * Whether {@code p} is a member of {@code app} now (the last read, or a new one if {@code p}
   * is not in it: it may have joined since). May suspend the event, like {@link #members}.
   */
  boolean isMember(String app, ProcessId p);

  /** The failure detector this DALua's algorithms share. */
  Liveness liveness();

  /** The bytes of multicast messages held back here, every group together. */
  HeldBytes heldBytes();

  /** Runs {@code task} after {@code delay} on a timer thread; returns what cancels it. */
  Runnable schedule(Runnable task, Duration delay);

  /** Runs {@code task} after {@code delay} as an event of the process, unless it has closed. */
  default void later(Duration delay, Runnable task) {
    Runnable unused = schedule(() -> {
      try {
        process().execute(task);
      } catch (dev.moonwire.rpc.ProcessClosedException closed) {
        // closed: the algorithm stops here
      }
    }, delay);
  }

  /** Logs that {@code member} is gone and what {@code algorithm} did about it: one INFO line. */
  void memberGone(ProcessId member, String algorithm, String done);

  /** Reports {@code e} to the process's uncaught-error handler, as a failed event. */
  void report(RuntimeException e);
}
