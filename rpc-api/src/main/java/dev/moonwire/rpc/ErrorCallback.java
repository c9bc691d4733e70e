package dev.moonwire.rpc;

/**
 * Receives the failure of an asynchronous call. Runs on the caller's process, like
 * {@link Callback}. A call made without an error callback reports its failure to the process's
 * uncaught-error handler instead: a failure is never silent.
 */
@FunctionalInterface
public interface ErrorCallback {
  /** Called once, instead of the reply callback, when the call failed. */
  void onError(RpcException error) throws Exception;
}
