package dev.moonwire.rpc;

import java.time.Duration;

/**
 * A remote function as a value, made by {@code Rpc.async}: calling it sends the request and
 * returns at once. The reply reaches the callback given to {@code Rpc.async}, on the caller's
 * process; a failure reaches the error callback, or the process's uncaught-error handler.
 *
 * <p>A {@code RemoteFunction} is immutable and may be called any number of times, from any
 * thread; each call is a new request.
 */
public interface RemoteFunction {
  /**
   * Sends a request with these arguments. Never throws for remote failures: they go to the
   * callbacks. Arguments that cannot be serialized fail the call before anything is sent, with
   * a {@link SerializationException} delivered to the error callback.
   *
   * @throws ProcessClosedException if the calling process is closed: no callback of it will run
   */
  void call(Object... args);

  /**
   * The same function with another deadline for each call.
   *
   * @throws IllegalArgumentException if the deadline is not positive
   */
  RemoteFunction withDeadline(Duration deadline);
}
