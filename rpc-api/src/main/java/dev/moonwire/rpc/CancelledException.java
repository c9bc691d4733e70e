package dev.moonwire.rpc;

/**
 * The caller cancelled the call, for example with {@code RpcFuture.cancel(true)}. A {@code CANCEL} was sent to the callee.
 */
public final class CancelledException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public CancelledException(String message) {
    super(Kind.CANCELLED, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public CancelledException(String message, Throwable cause) {
    super(Kind.CANCELLED, message, cause);
  }
}
