package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Warnings a peer can trigger: the first few of each kind in full, the rest counted. */
class PeerLogTest {
  private final PeerLog log = new PeerLog(new FakeEndpoint());

  @Test
  void pastTheFirstFew_warningsOfAKindAreCounted_notLogged() {
    for (int i = 0; i < PeerLog.FULL + 3; i++) {
      log.warn("handshake", "peer" + i, "bad magic");
    }

    assertEquals(PeerLog.FULL, log.logged());
    assertEquals(3, log.suppressed());
  }

  @Test
  void eachKind_hasItsOwnAllowance_errorsToo() {
    for (int i = 0; i < PeerLog.FULL; i++) {
      log.warn("handshake", "p", "bad magic");
    }
    log.error("protocol", "p", "unexpected", new IllegalStateException("x"));
    log.error("handshake", "p", "unexpected", new IllegalStateException("x"));
    PeerLog.warn(new FakeEndpoint(), "handshake", "p", "another process's own log");

    assertEquals(PeerLog.FULL + 1, log.logged());
    assertEquals(1, log.suppressed());
  }
}
