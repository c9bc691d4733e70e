package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A multicast message larger than half of each member's inbound budget: it fits the budget on
 * its own, but not twice — once as the multicast's frame, once more as its delivery. It must
 * still be delivered at every member, the sender included, and before what was sent after it,
 * when several arrive at once too.
 */
class MulticastBudgetTest extends ProcessTestSupport {
  private static final int BUDGET = 64 * 1024;
  /** Two: the sender's outbound budget holds one copy of the message, not two. */
  private static final int MEMBERS = 2;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"causal", "total"})
  void send_messageOverHalfTheBudget_isDeliveredEverywhere_beforeTheNextOne(String order) {
    String app = order + "-big";
    List<Dalua> all = new ArrayList<>();
    List<List<String>> logs = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      Dalua d = Dalua.attach(open(RpcConfig.defaults().withMaxQueuedBytes(BUDGET)),
          Directory.local());
      List<String> log = new CopyOnWriteArrayList<>();
      d.process().export("post", a -> log.add(a.stringAt(0) + ":" + a.get(1, byte[].class).length));
      all.add(d);
      logs.add(log);
    }
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));
    Function<Dalua, Multicast> multicast = order.equals("causal")
        ? d -> d.causal(app) : d -> d.total(app);

    for (Dalua d : all) { // each member sends a big one, then a small one
      Multicast m = multicast.apply(d);
      m.send("post", d.self() + " big", new byte[BUDGET * 5 / 8]); // 40 KiB: over half
      m.send("post", d.self() + " small", new byte[10]);
    }

    await().atMost(Duration.ofSeconds(20))
        .until(() -> logs.stream().allMatch(l -> l.size() == 2 * MEMBERS));
    for (int i = 0; i < MEMBERS; i++) {
      List<String> log = logs.get(i);
      for (Dalua d : all) {
        assertTrue(log.indexOf(d.self() + " big:" + BUDGET * 5 / 8)
            < log.indexOf(d.self() + " small:10"), "member " + i + ": " + log);
      }
      if (order.equals("total")) {
        assertEquals(logs.get(0), log, "one order at every member");
      }
    }
    takeUncaught(); // the budget's refusals of the deliveries' first attempts are reported
  }
}
