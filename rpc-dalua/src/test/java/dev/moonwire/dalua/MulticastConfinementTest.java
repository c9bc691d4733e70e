package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.internal.causal.CausalOrders;
import dev.moonwire.dalua.internal.total.TotalOrders;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §8: the multicasts' state belongs to the process's events, with no lock. A change
 * made from another thread is refused at once; through the API, from any thread, every change
 * runs on an event (a change off one would be refused and reported).
 */
class MulticastConfinementTest extends ProcessTestSupport {
  @Test
  void stateChangedOffTheProcessesEvents_isRefused_onThemItIsTaken() {
    Dalua d = Dalua.attach(open(), Directory.local());
    String g = "confined-" + System.nanoTime();
    d.apps().create(g);
    d.apps().join(g);
    d.process().export("f", a -> null);
    TotalOrders total = new TotalOrders(d.multicasts);
    CausalOrders causal = new CausalOrders(d.multicasts);

    IllegalStateException off = assertThrows(IllegalStateException.class,
        () -> total.send(g, "f", new Object[0]));
    assertTrue(off.getMessage().contains("not on an event"), off.getMessage());
    assertThrows(IllegalStateException.class, () -> causal.send(g, "f", new Object[0]));
    assertTrue(d.process().submit(() -> {
      total.send(g, "f", new Object[0]);
      return causal.send(g, "f", new Object[0]);
    }).join().isDone(), "no member's queue is full: room at once");
  }

  @Test
  void sendsFromManyThreads_changeStateOnlyOnEvents_andAreAllDelivered() throws Exception {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<String> atB = new CopyOnWriteArrayList<>();
    a.process().export("post", x -> null);
    b.process().export("post", x -> atB.add(x.stringAt(0)));
    String g = "threads-" + System.nanoTime();
    a.apps().create(g);
    a.apps().join(g);
    b.apps().join(g);
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      int me = t;
      threads[t] = Thread.ofVirtual().start(() -> {
        for (int k = 0; k < 20; k++) {
          a.total(g).send("post", "t" + me + ":" + k);
          a.causal(g).send("post", "c" + me + ":" + k);
        }
      });
    }
    for (Thread t : threads) {
      t.join();
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> atB.size() == 160);
    assertEquals(List.of(), uncaught, "a change off the process's events would be reported");
  }
}
