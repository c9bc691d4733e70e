package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6: a partly received frame counts against a budget too — many peers each sending
 * most of a frame and never the rest cannot hold unbounded memory (issue 21, item 5).
 */
class PartialFrameTest extends ProcessTestSupport {
  private static final long BUDGET = 1 << 20;

  @Test
  void peersHoldingHalfSentFrames_arePausedAtTheBudget_andOthersAreServed() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(BUDGET));
    server.export("hi", a -> "hi");
    RuntimeProcess runtime = (RuntimeProcess) server;
    List<Socket> peers = new ArrayList<>();
    try {
      // 40 peers x 40,000 bytes of a 60,000-byte first frame: 1.6 MB, over the 1 MiB budget
      byte[] part = new byte[40_000];
      for (int i = 0; i < 40; i++) {
        Socket s = new Socket(server.id().host(), server.id().port());
        peers.add(s);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(60_000);
        out.write(part);
        out.flush();
      }

      await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().connections().stream()
          .filter(c -> c.readingPaused()).count() > 0);
      long held = runtime.partialFrames().used();
      assertTrue(held > BUDGET, "the budget was reached: " + held);
      // at most one read per peer beyond the budget: Netty reads at most 64 KiB at a time
      assertTrue(held <= BUDGET + 40L * 64 * 1024, "held " + held);

      RpcProcess client = open();
      CompletableFuture<Object> f = new CompletableFuture<>();
      client.async(server.id(), "hi", f::complete, f::complete).call();
      assertEquals("hi", get(f), "another client is served meanwhile");
    } finally {
      for (Socket s : peers) {
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> runtime.partialFrames().used() == 0);
  }
}
