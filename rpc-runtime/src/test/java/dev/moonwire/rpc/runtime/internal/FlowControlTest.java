package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6: a flood slows or refuses callers; it never exhausts memory. Excess work is refused
 * per request, never by pausing a whole connection — except for a peer that does not read its
 * own replies.
 */
class FlowControlTest extends ProcessTestSupport {

  @Test
  void callerOverItsInFlightLimit_isRefusedAtOnce_andTheRestComplete() throws Exception {
    RpcProcess server = open();
    CountDownLatch gate = new CountDownLatch(1);
    server.export("wait", a -> {
      gate.await();
      return 1;
    });
    RpcProcess client = open(RpcConfig.defaults().withMaxInFlight(100));
    AtomicInteger values = new AtomicInteger();
    AtomicInteger overloaded = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    var wait = client.async(server.id(), "wait", v -> values.incrementAndGet(),
        e -> (e instanceof OverloadedException ? overloaded : other).incrementAndGet());

    for (int i = 0; i < 150; i++) {
      wait.call();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> overloaded.get() == 50);
    gate.countDown();
    await().atMost(Duration.ofSeconds(20)).until(() -> values.get() == 100);
    assertEquals(0, other.get());
  }

  @Test
  void calleeAtItsLimit_refusesEachExcessRequest_andKeepsReading() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxInFlight(50));
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    boolean everPaused = false;
    RuntimeProcess s = (RuntimeProcess) server;
    server.export("wait", a -> {
      started.incrementAndGet();
      gate.await(); // the bare runtime's one event thread: later requests queue behind
      return 1;
    });
    server.export("ping", a -> "pong");
    RpcProcess client = open();
    AtomicInteger values = new AtomicInteger();
    List<RpcException> errors = new CopyOnWriteArrayList<>();
    var wait = client.async(server.id(), "wait", v -> values.incrementAndGet(), errors::add);

    for (int i = 0; i < 5_000; i++) {
      wait.call();
      everPaused |= s.diagnostics().readingPausedOnSomeConnection();
    }

    // 50 admitted, the others refused one by one while the 50 wait
    await().atMost(Duration.ofSeconds(20)).until(() -> errors.size() == 4_950);
    assertTrue(errors.stream().allMatch(e -> e instanceof OverloadedException), errors.get(0)
        .toString());
    assertTrue(errors.get(0).getMessage().contains("already runs 50 requests"),
        errors.get(0).getMessage());
    assertFalse(everPaused || s.diagnostics().readingPausedOnSomeConnection(), "reading was paused");
    gate.countDown();
    await().atMost(Duration.ofSeconds(20)).until(() -> values.get() == 50);
    assertEquals(50, started.get());
  }

  @Test
  void calleeFullInBytes_refusesWithOverloaded_othersAreServedWhenItDrains() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(256 * 1024));
    CountDownLatch gate = new CountDownLatch(1);
    server.export("take", a -> {
      gate.await();
      return ((byte[]) a.get(0)).length;
    });
    RpcProcess client = open();
    AtomicInteger values = new AtomicInteger();
    List<RpcException> errors = new CopyOnWriteArrayList<>();
    var take = client.async(server.id(), "take", v -> values.incrementAndGet(), errors::add);

    for (int i = 0; i < 100; i++) {
      take.call((Object) new byte[16 * 1024]); // 100 x 18 KiB of work against 256 KiB
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> values.get() + errors.size() == 100
        || errors.size() >= 80);
    assertTrue(errors.size() >= 80, "refused: " + errors.size());
    assertTrue(errors.get(0) instanceof OverloadedException
        && errors.get(0).getMessage().contains("bytes of work"), errors.get(0).toString());
    gate.countDown();
    await().atMost(Duration.ofSeconds(20)).until(() -> values.get() + errors.size() == 100);
    assertTrue(values.get() >= 1 && values.get() <= 14, "admitted: " + values.get());
    assertEquals(0, ((RuntimeProcess) server).inbound().used(), "every byte given back");
  }

  /**
   * A raw peer that asks {@code server} for 300 replies of 64 KiB ("big") and reads none of
   * them.
   */
  private static RawPeer askForBigRepliesNeverRead(RpcProcess server) throws Exception {
    RawPeer greedy = RawPeer.connect(server.id());
    greedy.socket.setReceiveBufferSize(64 * 1024);
    for (int i = 1; i <= 300; i++) {
      greedy.writeFrame(RawPeer.request(i, 30_000, "big", new byte[] {0}));
    }
    greedy.flush();
    // What bounds it — the pause, refusals at its backlog limit, the heartbeat — is
    // UnreadAnswersTest's to measure; here only what others and the peer itself then see.
    return greedy;
  }

  @Test
  void peerThatDoesNotReadItsReplies_isNoLongerRead_othersAreServed() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(4 << 20));
    RuntimeProcess s = (RuntimeProcess) server;
    server.export("big", a -> new byte[64 * 1024]);
    server.export("ping", a -> "pong");

    try (RawPeer greedy = askForBigRepliesNeverRead(server)) {
      // another peer is still read and served
      CompletableFuture<Object> pong = new CompletableFuture<>();
      open().async(server.id(), "ping", pong::complete, pong::completeExceptionally).call();
      assertEquals("pong", get(pong));

      // the greedy peer reads its replies at last: the server reads it again
      int replies = 0;
      int refused = 0;
      while (replies + refused < 300) {
        byte[] f = greedy.readFrame();
        if (f[0] == RawPeer.REPLY) {
          replies++;
        } else if (f[0] == RawPeer.ERROR) {
          refused++;
        }
      }
      assertTrue(replies > 0, "replies " + replies + ", refused " + refused);
      await().atMost(Duration.ofSeconds(10)).until(() -> !s.diagnostics().readingPausedOnSomeConnection());
      greedy.writeFrame(RawPeer.request(1000, 30_000, "ping", new byte[] {0}));
      greedy.flush();
      byte[] f = greedy.readFrame(RawPeer.REPLY);
      assertEquals(1000, ByteBuffer.wrap(f, 1, 8).getLong());
    }
  }

  @Test
  void freshPeer_waitsBehindAFewEventsOfAFloodingPeer_notAllOfThem() throws Exception {
    RpcProcess server = open();
    RuntimeProcess s = (RuntimeProcess) server;
    CountDownLatch gate = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>(); // the order the server ran them in
    server.export("gate", a -> {
      gate.await(); // holds the bare runtime's one event thread: everything else queues
      return null;
    });
    server.export("work", a -> ran.add("work"));
    server.export("ping", a -> ran.add("ping"));
    RpcProcess flooder = open();
    AtomicInteger done = new AtomicInteger();
    flooder.async(server.id(), "gate", v -> done.incrementAndGet()).call();
    var work = flooder.async(server.id(), "work", v -> done.incrementAndGet());
    int n = 2_000;
    for (int i = 0; i < n; i++) {
      work.call();
    }
    // all of them admitted and waiting before the other peer speaks
    await().atMost(Duration.ofSeconds(10))
        .until(() -> s.inbound().used() >= (n + 1L) * RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES);
    long flood = s.inbound().used();
    CompletableFuture<Object> pong = new CompletableFuture<>();
    open().async(server.id(), "ping", pong::complete, pong::completeExceptionally).call();
    await().atMost(Duration.ofSeconds(10)).until(() -> s.inbound().used() > flood);

    gate.countDown();

    get(pong);
    int waitedBehind = ran.indexOf("ping");
    assertTrue(waitedBehind <= 32, // Connection.FAIR_SHARE, of 2,000 queued
        "the ping ran after " + waitedBehind + " events of the flooding peer");
    await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == n + 1);
  }

  @Test
  void peerThatNeverReadsItsReplies_isClosedAfterTwoHeartbeatsWithoutProgress()
      throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(4 << 20)
        .withHeartbeat(Duration.ofMillis(200)));
    RuntimeProcess s = (RuntimeProcess) server;
    server.export("big", a -> new byte[64 * 1024]);

    try (RawPeer greedy = askForBigRepliesNeverRead(server)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> s.diagnostics().connectionCount() == 0);
    }
  }

  @Test
  void requestThatReusesARunningCallId_closesThatConnection() throws Exception {
    RpcProcess server = open();
    CountDownLatch gate = new CountDownLatch(1);
    server.export("wait", a -> {
      gate.await();
      return 1;
    });
    try (RawPeer cheat = RawPeer.connect(server.id())) {
      cheat.writeFrame(RawPeer.request(7, 30_000, "wait", new byte[] {0}));
      cheat.writeFrame(RawPeer.request(7, 30_000, "wait", new byte[] {0}));
      cheat.flush();

      assertTrue(cheat.closedByPeer());
    } finally {
      gate.countDown();
    }
  }
}
