package dev.moonwire.rpc;

import java.time.Duration;

/**
 * A remote function called synchronously, made by {@code Rpc.sync(process, name)}.
 *
 * <p>Inside a process's event (a handler, a callback) {@link #call} suspends the calling virtual
 * thread and gives the process to its other events until the reply is there. On a thread outside
 * any process it blocks that thread.
 */
public interface SyncFunction {
  /**
   * Calls the function and returns its reply.
   *
   * @param <T> the type the caller expects; a reply of another type fails at the assignment
   *     with a {@code ClassCastException}
   * @throws RpcException the typed failure of the call (see DESIGN §5)
   */
  @SuppressWarnings("TypeParameterUnusedInFormals") // deliberate: the caller names the type
  <T> T call(Object... args);

  /** The same function with another deadline for each call. */
  SyncFunction withDeadline(Duration deadline);
}
