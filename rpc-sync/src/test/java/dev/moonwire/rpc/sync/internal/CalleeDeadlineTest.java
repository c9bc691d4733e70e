package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DESIGN §5: the callee keeps the deadline that travels with a request, CANCEL or not. */
class CalleeDeadlineTest extends ProcessTestSupport {

  @Test
  void suspendedHandler_leavesAtTheRequestsDeadline_withNoCancelFromTheCaller()
      throws Exception {
    RpcProcess process = open();
    AtomicInteger cancelled = new AtomicInteger();
    process.export("hold", a -> {
      try {
        Rpc.sleep(Duration.ofSeconds(60));
        return "woke";
      } catch (CancelledException e) {
        cancelled.incrementAndGet();
        throw e;
      }
    });

    // a caller that never sends CANCEL (it may be gone, or its CANCEL lost)
    try (RawPeer caller = RawPeer.connect(process.id())) {
      caller.writeFrame(RawPeer.request(1, 300, "hold", new byte[] {0}));
      caller.flush();

      await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 1);
    }
  }
}
