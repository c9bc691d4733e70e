package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.internal.total.TotalPeer;
import dev.moonwire.dalua.internal.total.TotalPeer.Agreement;
import dev.moonwire.dalua.internal.total.TotalPeer.Message;
import dev.moonwire.dalua.internal.total.TotalPeer.MessageId;
import dev.moonwire.dalua.internal.total.TotalPeer.Proposal;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.runtime.internal.Faults;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Total-order multicast under random delays and reordering, from fixed seeds. */
class TotalMulticastTest extends ProcessTestSupport {
  /** A peer that speaks total order's protocol by hand: it takes everything and does nothing. */
  static class SilentPeer implements TotalPeer {
    @Override
    public void message(Message m) {}

    @Override
    public void propose(Proposal p) {}

    @Override
    public void agree(Agreement a) {}

    @Override
    public Settled settled(Query q) {
      return new Settled(Status.PENDING, -1, "");
    }
  }

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

  /** Members of a new group, each logging what it delivers. */
  private List<Dalua> group(int n, String app, List<List<String>> logs) {
    List<Dalua> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Dalua d = Dalua.attach(faulty(), Directory.local());
      List<String> log = new CopyOnWriteArrayList<>();
      logs.add(log);
      d.process().export("apply", a -> log.add(a.stringAt(0)));
      all.add(d);
    }
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));
    return all;
  }

  @ParameterizedTest(name = "{0} members, faults {1}")
  @CsvSource({"3, 21:20", "4, 77:30", "3, 5:5", "3, 31:10:10"}) // the last loses 10% of sends
  void everyMemberDelivers_theSameMessages_inTheSameOrder_eachSendersInItsOrder(
      int n, String faults) {
    this.faults = faults;
    String app = "total-" + System.nanoTime();
    List<List<String>> logs = new ArrayList<>();
    List<Dalua> all = group(n, app, logs);
    int each = 10;

    for (int i = 0; i < n; i++) {
      Dalua d = all.get(i);
      int sender = i;
      d.process().execute(() -> {
        for (int k = 0; k < each; k++) {
          d.total(app).send("apply", sender + ":" + k);
        }
      });
    }

    await().atMost(Duration.ofSeconds(60))
        .until(() -> logs.stream().allMatch(l -> l.size() == n * each));
    for (List<String> log : logs) {
      assertEquals(logs.get(0), log, "members disagree on the order");
      assertEquals(n * each, new HashSet<>(log).size(), "delivered twice");
    }
    for (int s = 0; s < n; s++) {
      int sender = s;
      List<String> own = logs.get(0).stream().filter(m -> m.startsWith(sender + ":")).toList();
      for (int k = 0; k < each; k++) {
        assertEquals(sender + ":" + k, own.get(k), "sender " + sender + " out of its order");
      }
    }
    assertTrue(all.stream().allMatch(d -> d.multicasts.heldBack(app) == 0));
  }

  @Test
  void aSenderThatDiesWhileItsAgreementGoesOut_isSettledTheSameEverywhere() {
    String app = "total-half-" + System.nanoTime();
    List<List<String>> logs = new ArrayList<>();
    List<Dalua> all = group(3, app, logs);
    // A sender that speaks the protocol by hand: message to all, then an agreement that
    // reaches member 0 only — and dies.
    dev.moonwire.rpc.RpcProcess sender = open();
    Dalua senderDalua = Dalua.attach(sender, Directory.local());
    senderDalua.apps().join(app);
    List<Proposal> proposals = new CopyOnWriteArrayList<>();
    sender.export(TotalPeer.PREFIX, TotalPeer.class, new SilentPeer() { // in place of DALua's
      @Override
      public void propose(Proposal p) {
        proposals.add(p);
      }
    });
    List<dev.moonwire.rpc.ProcessId> members = all.stream().map(Dalua::self).toList();
    MessageId id = new MessageId(sender.id(), 7, 0);
    sender.send(members, TotalPeer.PREFIX, TotalPeer.class)
        .message(new Message(app, id, "apply", new Object[] {"half-agreed"}));
    await().atMost(Duration.ofSeconds(10)).until(() -> proposals.size() == 3);
    long agreed = proposals.stream().mapToLong(Proposal::ts).max().orElseThrow();
    sender.send(List.of(members.get(0)), TotalPeer.PREFIX, TotalPeer.class)
        .agree(new Agreement(app, id, agreed, "tie"));

    await().atMost(Duration.ofSeconds(10)).until(() -> logs.get(0).size() == 1);
    sender.close();

    // the others find the sender gone, ask around, learn member 0's agreement, deliver
    await().atMost(Duration.ofSeconds(20))
        .until(() -> logs.get(1).size() == 1 && logs.get(2).size() == 1);
    assertEquals(List.of("half-agreed"), logs.get(1));
    assertEquals(List.of("half-agreed"), logs.get(2));
  }

  @Test
  void aSenderRestartedAtTheSameAddress_isNotTakenForItsOldSelf() {
    String app = "total-restart-" + System.nanoTime();
    List<List<String>> logs = new ArrayList<>();
    List<Dalua> all = group(2, app, logs);
    Dalua first = Dalua.attach(faulty(), Directory.local());
    first.process().export("apply", a -> null);
    first.apps().join(app);
    first.total(app).send("apply", "before");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> logs.stream().allMatch(l -> l.contains("before")));
    int port = first.self().port();
    first.process().close();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !all.get(0).apps().processes(app).contains(first.self()));

    // the same address, a new process: its messages count from the start again
    Dalua again = Dalua.attach(open(dev.moonwire.rpc.RpcConfig.defaults().withPort(port)),
        Directory.local());
    again.process().export("apply", a -> null);
    again.apps().join(app);
    again.total(app).send("apply", "after");

    await().atMost(Duration.ofSeconds(15))
        .until(() -> logs.stream().allMatch(l -> l.contains("after")));
    assertEquals(List.of("before", "after"), logs.get(0));
    assertEquals(logs.get(0), logs.get(1));
  }

  @Test
  void aMemberThatIsOnlySlow_isWaitedFor_andAllDeliverTheSameOrder() {
    String app = "total-slow-" + System.nanoTime();
    List<List<String>> logs = new ArrayList<>();
    List<Dalua> all = group(3, app, logs);
    CountDownLatch busy = new CountDownLatch(1);
    all.get(2).process().execute(() -> { // member 2 answers nothing for a while ...
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    all.get(0).total(app).send("apply", "a");
    all.get(1).total(app).send("apply", "b");

    // ... for longer than two pings: its proposals are still needed, nothing may be delivered
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
        .until(() -> logs.get(0).isEmpty() && logs.get(1).isEmpty());
    busy.countDown();
    await().atMost(Duration.ofSeconds(20))
        .until(() -> logs.stream().allMatch(l -> l.size() == 2));
    assertEquals(logs.get(0), logs.get(1));
    assertEquals(logs.get(0), logs.get(2));
  }

  @Test
  void aMemberThatDiesMidProtocol_doesNotBlockDelivery() {
    String app = "total-dies-" + System.nanoTime();
    List<List<String>> logs = new ArrayList<>();
    List<Dalua> all = group(3, app, logs);
    Dalua dying = all.get(2);
    dying.process().close(); // still in the group for a moment: its proposals never come

    all.get(0).total(app).send("apply", "a");
    all.get(1).total(app).send("apply", "b");

    await().atMost(Duration.ofSeconds(20))
        .until(() -> logs.get(0).size() == 2 && logs.get(1).size() == 2);
    assertEquals(logs.get(0), logs.get(1));
    // the sends to the closed member were reported, as sends that fail are
    assertTrue(takeUncaught().stream()
        .allMatch(t -> t instanceof dev.moonwire.rpc.PeerUnavailableException));
  }

  /** Directory.local(), but the {@code failing}-th read of a group's members fails. */
  private static Directory failingRead(int failing) {
    return (process, listener) -> {
      Directory.Session local = Directory.local().connect(process, listener);
      int[] reads = {0};
      return new Directory.Session() {
        @Override public void create(String app) { local.create(app); }
        @Override public void destroy(String app) { local.destroy(app); }
        @Override public void join(String app) { local.join(app); }
        @Override public void leave(String app) { local.leave(app); }
        @Override public java.util.Set<String> applications() { return local.applications(); }
        @Override public void close() { local.close(); }

        @Override
        public List<dev.moonwire.rpc.ProcessId> processes(String app) {
          if (++reads[0] == failing) {
            throw new dev.moonwire.rpc.PeerUnavailableException("directory unreachable, once");
          }
          return local.processes(app);
        }
      };
    };
  }

  @Test
  void send_aDirectoryReadFailsOnce_theMessagesQueuedBehindItAreStillDelivered() {
    String app = "total-dir-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), failingRead(2)); // the read for the second message
    Dalua b = Dalua.attach(faulty(), Directory.local());
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    a.process().export("apply", args -> atA.add(args.stringAt(0)));
    b.process().export("apply", args -> atB.add(args.stringAt(0)));
    a.apps().create(app);
    a.apps().join(app);
    b.apps().join(app);

    a.process().execute(() -> { // in one event: the second waits behind the first
      a.total(app).send("apply", "first");
      a.total(app).send("apply", "second");
      a.total(app).send("apply", "third");
    });

    await().atMost(Duration.ofSeconds(10)).until(() -> atA.size() == 3 && atB.size() == 3);
    assertEquals(List.of("first", "second", "third"), atA);
    assertEquals(atA, atB);
    await().atMost(Duration.ofSeconds(5)).until(() -> !uncaught.isEmpty());
    assertTrue(takeUncaught().stream()
        .allMatch(t -> t instanceof dev.moonwire.rpc.PeerUnavailableException), "reported");
  }
}
