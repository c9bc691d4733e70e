package dev.moonwire.rpc;

/**
 * The arguments of a call did not fit the function: wrong count, or wrong type at a position. The message names the function and the position.
 */
public final class BadArgumentsException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public BadArgumentsException(String message) {
    super(Kind.BAD_ARGUMENTS, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public BadArgumentsException(String message, Throwable cause) {
    super(Kind.BAD_ARGUMENTS, message, cause);
  }
}
