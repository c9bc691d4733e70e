package dev.moonwire.rpc;

import java.time.Duration;

/**
 * A remote function whose calls return futures, made by {@code Rpc.future(process, name)}.
 */
public interface FutureFunction {
  /**
   * Sends the request and returns at once with its future. The future completes with the reply,
   * or exceptionally with the call's {@link RpcException}; arguments that cannot be serialized
   * complete it exceptionally before anything is sent.
   */
  <T> RpcFuture<T> call(Object... args);

  /** The same function with another deadline for each call. */
  FutureFunction withDeadline(Duration deadline);
}
