package dev.moonwire.rpc;

/**
 * The call's deadline passed before its reply arrived. A {@code CANCEL} was sent to the callee; a late reply is dropped.
 */
public final class DeadlineExceededException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public DeadlineExceededException(String message) {
    super(Kind.DEADLINE_EXCEEDED, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public DeadlineExceededException(String message, Throwable cause) {
    super(Kind.DEADLINE_EXCEEDED, message, cause);
  }
}
