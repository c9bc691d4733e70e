package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6: a partly received frame counts against a budget too — peers that each send most of
 * a frame and never the rest cannot hold unbounded memory, and they cannot stall anyone else's
 * connection either (issue 21, item 5).
 */
class PartialFrameTest extends ProcessTestSupport {
  private static final long BUDGET = 1 << 20;
  /** With frames of at most 256 KiB, unfinished ones may hold max(1 MiB, 2 x 256 KiB + 1 MiB). */
  private static final RpcConfig SMALL = RpcConfig.defaults().withMaxQueuedBytes(BUDGET)
      .withMaxFrameBytes(256 * 1024);
  private static final long PARTIAL = 2 * 256 * 1024 + (1 << 20);

  private static Object hi(RpcProcess client, RpcProcess server) throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    client.async(server.id(), "hi", f::complete, f::complete).call();
    return get(f);
  }

  @Test
  void peersHoldingHalfSentFrames_overTheBudget_loseTheirConnections_othersAreServed()
      throws Exception {
    RpcProcess server = open(SMALL);
    server.export("hi", a -> "hi");
    RuntimeProcess runtime = (RuntimeProcess) server;
    RpcProcess client = open();
    assertEquals("hi", hi(client, server));
    List<RawPeer> peers = new ArrayList<>();
    try {
      // 12 handshaken peers x 200 kB of a 250 kB frame: 2.4 MB, over the 1.5 MiB bound
      byte[] part = new byte[200_000];
      for (int i = 0; i < 12; i++) {
        try {
          RawPeer p = RawPeer.connect(server.id());
          peers.add(p);
          p.writeRaw(new byte[] {0, 0x03, (byte) 0xd0, (byte) 0x90}); // a length of 250,000
          p.writeRaw(part);
          p.flush();
        } catch (java.io.IOException closedAlready) {
          // the bound was crossed and this peer's connection was the one that crossed it: the
          // server closed it as it came (in its handshake or its first frame) — as it should
        }
      }

      await().atMost(Duration.ofSeconds(20))
          .until(() -> runtime.diagnostics().closedForPartialFrames() >= 2);
      long held = runtime.diagnostics().partialFrames().used();
      assertTrue(held <= PARTIAL, "held " + held + " bytes of unfinished frames");
      // the client's connection was never paused behind them
      assertEquals("hi", hi(client, server));
      assertFalse(server.stats().connections().stream().anyMatch(c -> c.readingPaused()));
    } finally {
      for (RawPeer p : peers) {
        p.close();
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> runtime.diagnostics().partialFrames().used() == 0);
  }

  @Test
  void aPeerThatStopsMidFrame_isClosedAfterAHeartbeatInterval() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withHeartbeat(Duration.ofMillis(300)));
    RuntimeProcess runtime = (RuntimeProcess) server;
    RawPeer p = RawPeer.connect(server.id());
    try {
      p.writeRaw(new byte[] {0, 0, 0x10, 0}); // a frame of 4,096 bytes, of which 100 come
      p.writeRaw(new byte[100]);
      p.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> runtime.diagnostics().partialFrames().used() > 0);

      assertTrue(p.closedByPeer(), "still connected");
      await().atMost(Duration.ofSeconds(10)).until(() -> runtime.diagnostics().partialFrames().used() == 0);
    } finally {
      p.close();
    }
  }

  @Test
  void unhandshakenPeersHoldingHalfSentFrames_areBoundedToo() throws Exception {
    RpcProcess server = open(SMALL);
    server.export("hi", a -> "hi");
    RuntimeProcess runtime = (RuntimeProcess) server;
    List<Socket> peers = new ArrayList<>();
    try {
      // 60 peers x 40,000 bytes of a 60,000-byte first frame: 2.4 MB, over the 1.5 MiB bound
      byte[] part = new byte[40_000];
      for (int i = 0; i < 60; i++) {
        Socket s = new Socket(server.id().host(), server.id().port());
        peers.add(s);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(60_000);
        out.write(part);
        out.flush();
      }

      await().atMost(Duration.ofSeconds(20)).until(() -> runtime.diagnostics().closedForPartialFrames() > 0);
      assertTrue(runtime.diagnostics().partialFrames().used() <= PARTIAL);
      assertEquals("hi", hi(open(), server), "another client is served meanwhile");
    } finally {
      for (Socket s : peers) {
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> runtime.diagnostics().partialFrames().used() == 0);
  }
}
