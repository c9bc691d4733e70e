package dev.moonwire.rpc;

/**
 * The call was refused before anything was sent: this process already has as many calls in
 * flight to that peer as {@link RpcConfig#withMaxInFlight(int)} allows. Slow down or raise the
 * limit; it is safe to retry.
 */
public final class OverloadedException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public OverloadedException(String message) {
    super(Kind.OVERLOADED, message, null);
  }
}
