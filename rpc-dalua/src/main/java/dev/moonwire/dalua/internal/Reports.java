package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.ProcessId;

/**
 * Where DALua's algorithms tell what happened: one implementation, the {@code Dalua} they run
 * in, serves the mutexes and the multicasts alike.
 */
public interface Reports {
  /**
   * Logs that {@code member} is gone and what {@code algorithm} did: {@code done} — one line at
   * INFO (expected in a group whose members can die), never a stack.
   */
  void memberGone(ProcessId member, String algorithm, String done);

  /** Reports {@code e} to the process's uncaught-error handler, as a failed event. */
  void report(RuntimeException e);
}
