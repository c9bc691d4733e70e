package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.PeerLog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** DESIGN §4: the handshake is a stage of its own, with its own timeout and frame limit. */
class HandshakeStageTest extends ProcessTestSupport {

  private static Object call(RpcProcess from, RpcProcess to, String function, Object... args)
      throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    from.async(to.id(), function, f::complete, f::completeExceptionally).call(args);
    return get(f);
  }

  @Test
  void peerThatNeverSaysHello_isClosedAtTheHandshakeTimeout() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withHandshakeTimeout(Duration.ofMillis(300)));
    long start = System.nanoTime();
    try (RawPeer silent = RawPeer.open(server.id())) {
      assertTrue(silent.closedByPeer());
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis >= 250 && millis < 5_000, "closed after " + millis + " ms");
  }

  @Test
  void largeFrameBeforeTheHandshake_closesTheConnection_theSameFrameAfterItIsServed()
      throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxFrameBytes(1 << 20));
    server.export("size", a -> ((byte[]) a.get(0)).length);
    byte[] big = new byte[RpcConfig.HANDSHAKE_MAX_FRAME_BYTES + 1];

    try (RawPeer early = RawPeer.open(server.id())) {
      early.writeFrame(big); // a frame of 64 KiB + 1 where HELLO should be
      early.flush();
      assertTrue(early.closedByPeer());
    }

    // after the handshake, frames up to maxFrameBytes are fine
    RpcProcess client = open(RpcConfig.defaults().withMaxFrameBytes(1 << 20));
    assertEquals(big.length, (int) call(client, server, "size", big));
  }

  @Test
  void noHeartbeatIsSentToAPeerStillInItsHandshake() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withHeartbeat(Duration.ofMillis(50))
        .withHandshakeTimeout(Duration.ofSeconds(1)));
    try (RawPeer silent = RawPeer.open(server.id())) {
      // a PING would arrive within a few heartbeats; the connection must end in silence
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      var in = silent.socket.getInputStream();
      for (int b; (b = in.read()) >= 0; ) {
        seen.write(b);
      }
      assertEquals(0, seen.size(), "bytes sent to a peer that never said HELLO");
    }
  }

  @Test
  void garbageFromManyPeers_isLoggedAFewTimes_theRestCounted() throws Exception {
    RpcProcess server = open();
    RuntimeProcess rs = (RuntimeProcess) server;
    long before = rs.peerLog().logged();
    int peers = 200;
    List<CompletableFuture<Boolean>> closed = new ArrayList<>();
    for (int i = 0; i < peers; i++) {
      RawPeer p = RawPeer.open(server.id());
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      new DataOutputStream(frame).writeInt(4);
      frame.write(new byte[] {42, 42, 42, 42}); // a frame of unknown kind instead of HELLO
      p.writeRaw(frame.toByteArray());
      p.flush();
      closed.add(CompletableFuture.supplyAsync(() -> {
        try (p) {
          return p.closedByPeer();
        } catch (Exception e) {
          return false;
        }
      }));
    }
    for (var c : closed) {
      assertTrue(c.get());
    }

    assertTrue(rs.peerLog().logged() - before <= PeerLog.FULL,
        "logged in full: " + (rs.peerLog().logged() - before));
    // the others are counted, and summed up in one line when the window ends
    assertEquals(peers, rs.peerLog().logged() - before + rs.peerLog().suppressed());
    // and the server still serves
    server.export("ping", a -> "pong");
    assertEquals("pong", call(open(), server, "ping"));
  }
}
