package dev.moonwire.rpc;

/**
 * The call was refused and did not run: this process already has as many calls in flight to
 * that peer as {@link RpcConfig#withMaxInFlight(int)} allows, or as many bytes waiting to go out
 * as {@link RpcConfig#withMaxQueuedBytes(long)} allows (nothing was sent); or the callee already
 * runs that many requests of this process, or holds that many bytes of work (it refused this
 * one at once). The message says which. Slow down or raise the limit; it is safe to retry.
 */
public final class OverloadedException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public OverloadedException(String message) {
    super(Kind.OVERLOADED, message, null);
  }
}
