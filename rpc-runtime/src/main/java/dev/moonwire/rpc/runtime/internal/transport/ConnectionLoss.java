package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;

/**
 * Why one connection closed, as its handlers learnt it — the handshake's stage and the
 * connection's — and so what its pending calls fail with. On the connection's I/O thread.
 */
final class ConnectionLoss {
  private String why = "the connection closed";
  private boolean handshakeRefused; // no request of ours was read: none ran
  private boolean overloaded; // the peer said it is at its limit of connections

  /** The connection closes (or closed) for {@code why}. */
  void because(String why) {
    this.why = why;
  }

  /** The handshake was refused, by either side: none of the calls queued on it ran. */
  void handshakeRefused(String why) {
    this.why = why;
    this.handshakeRefused = true;
  }

  /** The peer refused the connection before its HELLO, at its limit of connections. */
  void overloaded(String why) {
    handshakeRefused(why);
    this.overloaded = true;
  }

  String why() {
    return why;
  }

  /** What each call pending on the connection to {@code peer} fails with. */
  RpcException exception(ProcessId peer) {
    if (overloaded) {
      return new OverloadedException("connection to " + peer + " refused: " + why
          + " (the call did not run)");
    }
    String ran = handshakeRefused ? "the call did not run: the handshake was refused"
        : "the call may or may not have run";
    return new PeerUnavailableException("connection to " + peer + " lost: " + why + " (" + ran
        + ")");
  }
}
