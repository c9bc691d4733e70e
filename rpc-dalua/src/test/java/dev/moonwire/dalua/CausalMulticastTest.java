package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.runtime.internal.Faults;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Causal multicast under random delays and reordering: members answer what they deliver, so
 * messages depend on each other in chains; each message carries the ids its sender had
 * delivered, and every member must have delivered those first.
 */
class CausalMulticastTest extends ProcessTestSupport {
  /** The faults of the processes this test opens next: SEED:MAXMS[:DROPPERCENT], or null. */
  private String faults;

  /** A process with this test's faults installed through its own hook (not a JVM property). */
  private RpcProcess faulty() {
    RpcProcess p = open();
    if (faults != null) {
      String[] f = faults.split(":");
      ((RuntimeProcess) p).injectFaults(Faults.seeded(Long.parseLong(f[0]),
          Integer.parseInt(f[1]), f.length > 2 ? Integer.parseInt(f[2]) : 0));
    }
    return p;
  }

  @ParameterizedTest(name = "faults seed {0}")
  @ValueSource(strings = {"11:20", "99:40"})
  void aMessageSentAfterDeliveringAnother_isDeliveredAfterIt_everywhere_exactlyOnce(
      String faults) {
    this.faults = faults;
    String app = "causal-" + System.nanoTime();
    int n = 3;
    List<Dalua> all = new ArrayList<>();
    Map<String, List<String>> delivered = new ConcurrentHashMap<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    for (int i = 0; i < n; i++) {
      Dalua d = Dalua.attach(faulty(), Directory.local());
      all.add(d);
      String me = "m" + i;
      List<String> log = new CopyOnWriteArrayList<>();
      delivered.put(me, log);
      int[] sent = {0};
      d.process().export("post", a -> {
        String id = a.stringAt(0);
        @SuppressWarnings("unchecked")
        List<String> history = a.get(1, List.class);
        int depth = a.intAt(2);
        if (!new HashSet<>(log).containsAll(history)) {
          violations.add(me + " delivered " + id + " before some of " + history);
        }
        log.add(id);
        if (depth < 2 && !id.startsWith(me + ":")) { // answer what others said
          d.causal(app).send("post", me + ":" + sent[0]++, new ArrayList<>(log), depth + 1);
        }
        return null;
      });
    }
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));

    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < n; i++) {
        Dalua d = all.get(i);
        String id = "m" + i + ":start" + round;
        d.process().execute(() -> d.causal(app).send("post", id,
            new ArrayList<>(delivered.get("m" + all.indexOf(d))), 0));
      }
    }

    // 12 starts; each delivery of a depth-0 or depth-1 message by the 2 others sends one more
    int expected = 12 + 12 * 2 + 12 * 2 * 2;
    await().atMost(Duration.ofSeconds(60))
        .until(() -> delivered.values().stream().allMatch(l -> l.size() == expected));
    assertEquals(List.of(), violations);
    for (List<String> log : delivered.values()) {
      Set<String> unique = new HashSet<>(log);
      assertEquals(log.size(), unique.size(), "delivered twice");
    }
    assertEquals(new HashSet<>(delivered.get("m0")), new HashSet<>(delivered.get("m1")));
    assertEquals(new HashSet<>(delivered.get("m0")), new HashSet<>(delivered.get("m2")));
    assertTrue(all.stream().allMatch(d -> d.multicasts.heldBack(app) == 0));
  }

  @org.junit.jupiter.api.Test
  void sendsFromTwoThreadsAtOnce_areDeliveredInOneOrder_bySenderAndOthersAlike()
      throws Exception {
    String app = "causal-threads-" + System.nanoTime();
    List<Dalua> all = new ArrayList<>();
    List<List<Integer>> logs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Dalua d = Dalua.attach(faulty(), Directory.local());
      List<Integer> log = new CopyOnWriteArrayList<>();
      d.process().export("post", a -> log.add(a.intAt(0)));
      all.add(d);
      logs.add(log);
    }
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));
    Multicast m = all.get(0).causal(app);
    int each = 500;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int base = t * each;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < each; k++) {
          m.send("post", base + k);
        }
      }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }

    await().atMost(Duration.ofSeconds(20))
        .until(() -> logs.stream().allMatch(l -> l.size() == 2 * each));
    assertEquals(logs.get(1), logs.get(0), "the sender delivered its own in another order");
    assertEquals(logs.get(1), logs.get(2));
  }
}
