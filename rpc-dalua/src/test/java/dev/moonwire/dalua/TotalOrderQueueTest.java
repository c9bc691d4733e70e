package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A total-order sender whose messages are not agreed — a member that answers nothing — queues
 * a bounded number of them, then its {@code send} waits; everything is delivered, in order,
 * once the member is back.
 */
class TotalOrderQueueTest extends ProcessTestSupport {
  private Dalua member(String app, List<String> log) {
    Dalua d = Dalua.attach(open(), Directory.local());
    d.process().export("post", a -> log.add(a.stringAt(0)));
    if (!d.apps().applications().contains(app)) {
      d.apps().create(app);
    }
    d.apps().join(app);
    return d;
  }

  @Test
  void send_whileNoMessageIsAgreed_waitsPastTheQueueBound_andAllAreDeliveredInOrderAfter()
      throws Exception {
    String app = "stuck-" + System.nanoTime();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    Dalua a = member(app, atA);
    Dalua b = member(app, atB);
    CountDownLatch busy = new CountDownLatch(1);
    b.process().execute(() -> { // b answers nothing for a while: no message of a is agreed
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    int n = 600;
    AtomicInteger sent = new AtomicInteger();
    Thread sender = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < n; i++) {
        a.total(app).send("post", "m" + i);
        sent.incrementAndGet();
      }
    });

    try {
      // past its queue, the sender waits: what waits for the protocol stays bounded
      await().atMost(Duration.ofSeconds(20)).until(() -> sent.get() >= 256);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(sender::isAlive);
      assertTrue(sent.get() <= 257, "sends returned while nothing was agreed: " + sent.get());
    } finally {
      busy.countDown();
    }
    sender.join(60_000);

    List<String> expected = IntStream.range(0, n).mapToObj(i -> "m" + i).toList();
    await().atMost(Duration.ofSeconds(60)).until(() -> atB.size() >= n && atA.size() >= n);
    assertEquals(expected, atA);
    assertEquals(expected, atB);
  }
}
