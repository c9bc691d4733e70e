package dev.moonwire.rpc;

/**
 * The callee exports no function of the name called. The message names the function and the process.
 */
public final class NoSuchFunctionException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public NoSuchFunctionException(String message) {
    super(Kind.NO_SUCH_FUNCTION, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public NoSuchFunctionException(String message, Throwable cause) {
    super(Kind.NO_SUCH_FUNCTION, message, cause);
  }
}
