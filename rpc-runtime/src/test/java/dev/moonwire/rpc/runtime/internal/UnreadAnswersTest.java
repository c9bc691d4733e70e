package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProcessStats;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.transport.Transport;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import dev.moonwire.rpc.testing.StatsSampler;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6: what a process answers a peer — replies, errors, pongs — is bounded in bytes too.
 * A peer that asks and never reads is paused, its requests are refused rather than run, and
 * the answers waiting for it count in the process's inbound budget ({@code stats()}) until they
 * are written; other clients go on being served within a second.
 */
class UnreadAnswersTest extends ProcessTestSupport {
  /** Who a {@link RawPeer} says it is. */
  private static final ProcessId RAW = ProcessId.of("127.0.0.1", 1);
  /** The server's budget: room for one peer's backlog and what Netty holds for it, not four. */
  private static final long BUDGET = 4 << 20;
  /** What one connection may leave queued at this budget (ChannelConnection's backlog limit). */
  private static final long BACKLOG_LIMIT = BUDGET / 4;
  /** What Netty buffers for a connection before it stops taking frames. */
  private static final long NETTY = Transport.WATER_MARK.high();
  private static final int BIG = 256 * 1024;

  @Test
  void peerThatPingsAndReadsNothing_isPausedWithItsPongsBounded_othersServed() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(BUDGET / 2)
        .withHeartbeat(Duration.ofSeconds(1)));
    long backlogLimit = BUDGET / 8;
    server.export("ping", a -> "pong");
    RpcProcess other = open();
    ping(other, server); // connected before the attack

    // The server's socket takes up to 4 MiB before Netty holds anything (Linux tunes its send
    // buffer): 300,000 pongs and more. Each buffer's every touch recorded (PARANOID) would make
    // that half a minute; sampled, a second.
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    try (StatsSampler stats = new StatsSampler(server, RAW);
        RawPeer flooder = RawPeer.connect(server.id(), 4096)) {
      Thread writer = Thread.ofPlatform().daemon().start(() -> pingUntilClosed(flooder));

      // the limit is reached: the server stops reading the peer that does not read its pongs
      await().atMost(Duration.ofSeconds(20)).until(stats::everPaused);
      assertTrue(stats.maxQueued() > backlogLimit, "queued " + stats.maxQueued());
      assertTrue(stats.maxInbound() > backlogLimit, "the pongs count: " + stats.maxInbound()
          + " B held in at most");
      long start = System.nanoTime();
      ping(other, server);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 1000, "another client waited " + millis + " ms");

      // it makes no progress for two heartbeats: closed, and what it held is given back
      await().atMost(Duration.ofSeconds(10)).until(() -> stats.connection() == null);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().inboundBytes() == 0);
      flooder.close();
      writer.join(10_000);
      // Netty's buffer, the backlog limit and one read's worth of pongs, never more
      long bound = NETTY + backlogLimit + 1024 * 1024;
      assertTrue(stats.maxQueued() <= bound, "the server held " + stats.maxQueued()
          + " bytes for a peer that reads nothing (expected: at most " + bound + ")");
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }

  /** Writes PINGs in batches until the socket fails (closed) or 32 MiB went out. */
  private static void pingUntilClosed(RawPeer flooder) {
    ByteBuffer batch = ByteBuffer.allocate(13 * 4096);
    for (int i = 0; i < 4096; i++) {
      batch.putInt(9).put(RawPeer.PING).putLong(i);
    }
    try {
      var out = flooder.socket.getOutputStream();
      for (int sent = 0; sent < 32 << 20; sent += batch.capacity()) {
        out.write(batch.array());
      }
    } catch (IOException closed) {
      // the test is over, or the server closed the connection
    }
  }

  @Test
  void peerThatAsksForBigRepliesAndReadsNothing_holdsAtMostItsShare_othersServedWithinASecond()
      throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(BUDGET));
    server.export("big", a -> new byte[BIG]);
    server.export("ping", a -> "pong");
    RpcProcess other = open();
    ping(other, server);

    int asked = 200; // 50 MiB of replies if nothing held them back
    try (StatsSampler stats = new StatsSampler(server, RAW);
        RawPeer greedy = RawPeer.connect(server.id(), 4096)) {
      for (int i = 1; i <= asked; i++) {
        greedy.writeFrame(RawPeer.request(i, 60_000, "big", new byte[] {0}));
      }
      greedy.flush();

      // the peer's backlog reached its limit: it is no longer read, or (when the OS socket
      // takes the replies as fast as they come) its further requests are refused
      await().atMost(Duration.ofSeconds(20))
          .until(() -> stats.everPaused() || stats.maxQueued() >= BACKLOG_LIMIT);
      assertTrue(stats.maxInbound() > BACKLOG_LIMIT, "the unread replies count: "
          + stats.maxInbound() + " B held in at most");
      long start = System.nanoTime();
      ping(other, server);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 1000, "another client waited " + millis + " ms");

      // it reads at last: some replies, and the rest refused before they ran
      List<String> refusals = readAnswers(greedy, asked);
      long frame = BIG + 64;
      assertTrue(stats.maxInbound() <= BUDGET + frame, "the server held " + stats.maxInbound()
          + " bytes of work and replies (expected: at most the budget, " + BUDGET + ", and one "
          + "reply)");
      long bound = NETTY + BACKLOG_LIMIT + 2 * frame;
      assertTrue(stats.maxQueued() <= bound, "the server queued " + stats.maxQueued()
          + " bytes for a peer that reads nothing (expected: at most " + bound + ")");
      assertTrue(!refusals.isEmpty() && refusals.size() < asked, refusals.size() + " refused");
      assertTrue(refusals.get(0).contains("has not read what"), refusals.get(0));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().inboundBytes() == 0);
    }
  }

  @Test
  void severalPeersThatReadNothing_holdAtMostTheBudgetBetweenThem() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(BUDGET));
    int reply = 2 * BIG; // one such reply takes a peer past its backlog limit
    server.export("big", a -> new byte[reply]);
    int peers = 8; // each may hold its backlog and what Netty takes, 3 MiB: six budgets in all
    int asked = 32; // 16 MiB each: past what the OS, Netty and its backlog take
    List<RawPeer> greedy = new ArrayList<>();
    try (StatsSampler stats = new StatsSampler(server, RAW)) {
      for (int p = 0; p < peers; p++) {
        RawPeer g = RawPeer.connect(server.id(), 4096);
        greedy.add(g);
        for (int i = 1; i <= asked; i++) {
          g.writeFrame(RawPeer.request(i, 60_000, "big", new byte[] {0}));
        }
        g.flush();
      }
      // some peer's backlog reaches its limit: it is no longer read, or its further requests
      // are refused
      await().atMost(Duration.ofSeconds(20))
          .until(() -> stats.everPaused() || stats.maxQueued() >= BACKLOG_LIMIT);
      // they read at last (every request has had its turn when the last answer comes)
      List<String> refusals = new ArrayList<>();
      for (RawPeer g : greedy) {
        refusals.addAll(readAnswers(g, asked));
      }
      long frame = reply + 64;
      assertTrue(stats.maxInbound() <= BUDGET + frame, "the server held " + stats.maxInbound()
          + " bytes of work and replies (expected: at most the budget, " + BUDGET + ", and one "
          + "reply)");
      // the process's budget was reached: refused as they came, or as they were to run
      assertTrue(refusals.stream().anyMatch(r -> r.contains(" bytes of work")),
          "refused for the process's budget: none of " + refusals.size());
      await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().inboundBytes() == 0);
    } finally {
      for (RawPeer g : greedy) {
        g.close();
      }
    }
  }

  /** Reads {@code n} answers (replies and errors); returns the errors' messages. */
  private static List<String> readAnswers(RawPeer peer, int n) throws IOException {
    List<String> errors = new ArrayList<>();
    for (int answers = 0; answers < n; ) {
      byte[] f = peer.readFrame();
      if (f[0] == RawPeer.REPLY) {
        answers++;
      } else if (f[0] == RawPeer.ERROR) {
        answers++;
        ByteBuffer b = ByteBuffer.wrap(f, 10, f.length - 10); // kind, call id, error kind
        byte[] message = new byte[b.getInt()];
        b.get(message);
        errors.add(new String(message, StandardCharsets.UTF_8));
      }
    }
    return errors;
  }

  private static void ping(RpcProcess client, RpcProcess server) throws Exception {
    CompletableFuture<Object> pong = new CompletableFuture<>();
    client.async(server.id(), "ping", pong::complete, pong::completeExceptionally).call();
    assertEquals("pong", get(pong));
  }
}
