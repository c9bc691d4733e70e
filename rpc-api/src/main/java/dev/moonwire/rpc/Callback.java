package dev.moonwire.rpc;

/**
 * Receives the reply of an asynchronous call.
 *
 * <p>Runs on the caller's process, as one of its events: never on a network thread, never at
 * the same time as another event of that process. It may throw: what it throws goes to the
 * process's uncaught-error handler and the process goes on.
 *
 * @param <T> the type of the reply; a reply of another type makes the callback fail with a
 *     {@code ClassCastException}, reported like any other throw
 */
@FunctionalInterface
public interface Callback<T> {
  /** Called once per reply with the value the remote function returned (may be null). */
  void onReply(T value) throws Exception;
}
