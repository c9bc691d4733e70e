package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Causal order where messages are refused on the way, members join late, and senders restart:
 * every member delivers every message sent to it, in causal order, and a sender's queue toward
 * a member that takes nothing stays bounded.
 */
class CausalDeliveryTest extends ProcessTestSupport {
  private Dalua member(String app, RpcConfig config, List<String> log) {
    Dalua d = Dalua.attach(open(config), Directory.local());
    d.process().export("post", a -> log.add(a.stringAt(0)));
    if (!d.apps().applications().contains(app)) {
      d.apps().create(app);
    }
    d.apps().join(app);
    return d;
  }

  @Test
  void messagesAMembersBudgetRefuses_areSentAgainInOrder_andSendWaitsPastTheQueueBound()
      throws Exception {
    String app = "refused-" + System.nanoTime();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    Dalua a = member(app, RpcConfig.defaults(), atA);
    Dalua b = member(app, RpcConfig.defaults().withMaxQueuedBytes(64 * 1024), atB);
    CountDownLatch busy = new CountDownLatch(1);
    b.process().execute(() -> { // b takes nothing for a while: its budget fills, then refuses
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    int n = 600;
    String pad = "x".repeat(4_000); // 16 fit in b's budget: a window of 32 is refused in part
    Thread sender = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < n; i++) {
        a.causal(app).send("post", i + ":" + pad);
      }
    });

    // past its queue toward b, the sender waits: what b has not taken stays bounded
    await().atMost(Duration.ofSeconds(20)).until(() -> atA.size() >= 256);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(sender::isAlive);
    assertTrue(a.multicasts.unacknowledged(app) <= 256, a.multicasts.unacknowledged(app) + "");
    busy.countDown();
    sender.join(30_000);

    List<String> expected = IntStream.range(0, n).mapToObj(i -> i + ":" + pad).toList();
    await().atMost(Duration.ofSeconds(30)).until(() -> atB.size() >= n);
    assertEquals(expected, atB, "b missed or reordered some");
    assertEquals(expected, atA);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.multicasts.unacknowledged(app) == 0);
  }

  @Test
  void aMemberThatJoinsLate_deliversWhatIsSentAfter_evenWhatDependsOnMessagesBeforeIt() {
    String app = "late-" + System.nanoTime();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    List<String> atC = new CopyOnWriteArrayList<>();
    Dalua a = member(app, RpcConfig.defaults(), atA);
    Dalua b = member(app, RpcConfig.defaults(), atB);
    for (int i = 0; i < 5; i++) {
      a.causal(app).send("post", "a" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.size() == 5);
    b.causal(app).send("post", "b0"); // after a's five
    await().atMost(Duration.ofSeconds(10)).until(() -> atA.size() == 6);

    Dalua c = member(app, RpcConfig.defaults(), atC); // joins now: none of these came to it
    a.causal(app).send("post", "a5"); // depends on a's five and on b0, which c never gets
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.size() == 7);
    b.causal(app).send("post", "b1"); // depends on a5

    await().atMost(Duration.ofSeconds(15)).until(() -> atC.size() == 2);
    assertEquals(List.of("a5", "b1"), atC);
    assertEquals(0, c.multicasts.heldBack(app));
  }

  @Test
  void aMemberRestartedAtTheSameAddress_isDeliveredWhatIsSentAfter() {
    String app = "receiver-restarted-" + System.nanoTime();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    Dalua a = member(app, RpcConfig.defaults(), atA);
    Dalua b = member(app, RpcConfig.defaults(), atB);
    for (int i = 0; i < 3; i++) {
      a.causal(app).send("post", "before" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.size() == 3);
    int port = b.self().port();
    b.process().close();

    List<String> atAgain = new CopyOnWriteArrayList<>();
    Dalua again = member(app, RpcConfig.defaults().withPort(port), atAgain);
    a.causal(app).send("post", "after"); // to the new process, not to the one that took 1..3

    await().atMost(Duration.ofSeconds(10)).until(() -> atAgain.size() == 1);
    assertEquals(List.of("after"), atAgain);
    assertEquals(0, again.multicasts.heldBack(app));
  }

  @Test
  void aSenderRestartedAtTheSameAddress_isDeliveredFromAgain() {
    String app = "restarted-" + System.nanoTime();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    Dalua a = member(app, RpcConfig.defaults(), atA);
    Dalua b = member(app, RpcConfig.defaults(), atB);
    for (int i = 0; i < 3; i++) {
      a.causal(app).send("post", "before" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> atB.size() == 3);
    int port = a.self().port();
    a.process().close();

    List<String> atAgain = new CopyOnWriteArrayList<>();
    Dalua again = member(app, RpcConfig.defaults().withPort(port), atAgain);
    again.causal(app).send("post", "after0"); // counts from 1 again
    again.causal(app).send("post", "after1");

    await().atMost(Duration.ofSeconds(10)).until(() -> atB.size() == 5);
    assertEquals(List.of("before0", "before1", "before2", "after0", "after1"), atB);
  }
}
