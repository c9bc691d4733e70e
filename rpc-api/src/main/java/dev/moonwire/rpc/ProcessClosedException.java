package dev.moonwire.rpc;

/**
 * The caller's own process is closing or closed, so the call could not be made or could not finish.
 */
public final class ProcessClosedException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public ProcessClosedException(String message) {
    super(Kind.PROCESS_CLOSED, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public ProcessClosedException(String message, Throwable cause) {
    super(Kind.PROCESS_CLOSED, message, cause);
  }
}
