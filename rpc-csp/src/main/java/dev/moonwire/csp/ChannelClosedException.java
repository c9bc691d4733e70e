package dev.moonwire.csp;

/**
 * The channel was closed: thrown to a writer at once, and to a reader once the channel holds
 * nothing more. Unchecked, and not an {@link dev.moonwire.rpc.RpcException}: a closed channel
 * is the channel's state, not a failed call, and needs no wire kind of its own.
 */
public final class ChannelClosedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says which operation found the channel closed. */
  public ChannelClosedException(String message) {
    super(message);
  }
}
