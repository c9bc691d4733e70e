package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DESIGN §6: a flood slows or refuses callers; it never exhausts memory. */
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
  void pausedReading_outlastsManyHeartbeats_withoutEitherSideDroppingTheConnection() {
    Duration heartbeat = Duration.ofMillis(50);
    RpcProcess server = open(RpcConfig.defaults().withMaxInFlight(4).withHeartbeat(heartbeat));
    // the handler holds the server's one event thread for 16 heartbeat intervals: the server
    // stops reading, so neither side hears anything from the other meanwhile
    server.export("hold", a -> new CountDownLatch(1).await(800,
        java.util.concurrent.TimeUnit.MILLISECONDS));
    RpcProcess client = open(RpcConfig.defaults().withHeartbeat(heartbeat));
    AtomicInteger values = new AtomicInteger();
    java.util.List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    var hold = client.async(server.id(), "hold", v -> values.incrementAndGet(), errors::add);

    for (int i = 0; i < 5; i++) {
      hold.call();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> values.get() + errors.size() == 5);
    assertEquals(java.util.List.of(), errors);
  }

  @Test
  void calleeAtItsLimit_stopsReadingThatPeer_untilHalfHaveEnded() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxInFlight(50));
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    server.export("wait", a -> {
      started.incrementAndGet();
      gate.await(); // the bare runtime's one event thread: later requests queue behind
      return 1;
    });
    RpcProcess client = open();
    AtomicInteger ended = new AtomicInteger();
    var wait = client.async(server.id(), "wait", v -> ended.incrementAndGet(),
        e -> ended.incrementAndGet());

    for (int i = 0; i < 5_000; i++) {
      wait.call();
    }

    RuntimeProcess s = (RuntimeProcess) server;
    await().atMost(Duration.ofSeconds(10)).until(() -> s.readingPausedOnSomeConnection());
    gate.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> ended.get() == 5_000);
    assertEquals(5_000, started.get());
    assertTrue(!s.readingPausedOnSomeConnection(), "reading resumed");
  }
}
