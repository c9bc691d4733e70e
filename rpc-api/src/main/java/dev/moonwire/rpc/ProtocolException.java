package dev.moonwire.rpc;

/**
 * The peer broke the wire protocol (bad handshake, malformed frame, frame too large). The connection to it was closed; other connections are unaffected.
 */
public final class ProtocolException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was expected. */
  public ProtocolException(String message) {
    super(Kind.PROTOCOL, message, null);
  }

  /** Creates the exception with a message and the cause. */
  public ProtocolException(String message, Throwable cause) {
    super(Kind.PROTOCOL, message, cause);
  }
}
