package dev.moonwire.dalua.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import org.junit.jupiter.api.Test;

/**
 * A process's failure detector belongs to its events, as the algorithms that ask it do: a
 * thread that is not one of them cannot read or change it.
 */
class LivenessConfinementTest extends ProcessTestSupport {
  private static final ProcessId MEMBER = ProcessId.of("10.0.0.1", 7000);

  @Test
  void heardAndIsGone_offTheOwnersEvents_failNamingTheDetector_andRunOnThem() {
    RpcProcess owner = open();
    Liveness liveness = new Liveness(owner);

    IllegalStateException off = assertThrows(IllegalStateException.class,
        () -> liveness.heard(MEMBER));
    assertTrue(off.getMessage().contains("failure detector: heard"), off.getMessage());
    assertThrows(IllegalStateException.class, () -> liveness.isGone(MEMBER));

    assertFalse(owner.submit(() -> {
      liveness.heard(MEMBER);
      return liveness.isGone(MEMBER);
    }).join());
  }
}
