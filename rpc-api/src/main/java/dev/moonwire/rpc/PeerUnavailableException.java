package dev.moonwire.rpc;

/**
 * The peer could not be reached, or the connection to it was lost while the call was pending. Moonwire never re-sends a call on its own (at-most-once): the call may or may not have run on the peer.
 */
public final class PeerUnavailableException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public PeerUnavailableException(String message) {
    super(Kind.PEER_UNAVAILABLE, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public PeerUnavailableException(String message, Throwable cause) {
    super(Kind.PEER_UNAVAILABLE, message, cause);
  }
}
