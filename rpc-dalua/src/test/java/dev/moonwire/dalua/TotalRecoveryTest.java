package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.dalua.internal.total.TotalPeer;
import dev.moonwire.dalua.internal.total.TotalPeer.Agreement;
import dev.moonwire.dalua.internal.total.TotalPeer.Message;
import dev.moonwire.dalua.internal.total.TotalPeer.MessageId;
import dev.moonwire.dalua.internal.total.TotalPeer.Proposal;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.FaultHook;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Total order when a sender dies or restarts mid-protocol: the members settle its last message
 * the same way everywhere — never "nobody answered" taken for "nobody delivered" — and a
 * restarted sender's address never stalls them.
 */
class TotalRecoveryTest extends ProcessTestSupport {
  private final List<List<String>> logs = new ArrayList<>();

  private List<Dalua> group(int n, String app) {
    List<Dalua> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Dalua d = Dalua.attach(open(), Directory.local());
      List<String> log = new CopyOnWriteArrayList<>();
      logs.add(log);
      d.process().export("apply", a -> log.add(a.stringAt(0)));
      all.add(d);
    }
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));
    return all;
  }

  /** A member that speaks the protocol by hand, its proposals kept in {@code proposals}. */
  private RpcProcess handSender(String app, List<Proposal> proposals, RpcConfig config) {
    RpcProcess sender = open(config);
    Dalua.attach(sender, Directory.local()).apps().join(app);
    sender.export(TotalPeer.PREFIX, TotalPeer.class, new TotalMulticastTest.SilentPeer() {
      @Override
      public void propose(Proposal p) {
        proposals.add(p);
      }
    });
    return sender;
  }

  @Test
  void anAgreementInFlightFromADyingSender_pastTheOthersQuestions_isTakenEverywhereOrNowhere() {
    String app = "in-flight-" + System.nanoTime();
    List<Dalua> all = group(3, app);
    List<Proposal> proposals = new CopyOnWriteArrayList<>();
    RpcProcess sender = handSender(app, proposals, RpcConfig.defaults());
    // Member 0 gets the sender's agreement late — after the others asked it about the message
    // and it answered — and the answers to its own questions later still.
    ((RuntimeProcess) all.get(0).process()).injectFaults((peer, m) -> {
      if (m instanceof dev.moonwire.rpc.runtime.internal.wire.Message.Send s
          && s.function().equals(TotalPeer.PREFIX + ".agree")) {
        return 3_000;
      }
      return m instanceof dev.moonwire.rpc.runtime.internal.wire.Message.Reply
          ? 5_000 : FaultHook.NOW;
    });
    List<ProcessId> members = all.stream().map(Dalua::self).toList();
    MessageId id = new MessageId(sender.id(), 7, 0);
    sender.send(members, TotalPeer.PREFIX, TotalPeer.class)
        .message(new Message(app, id, "apply", new Object[] {"half-agreed"}));
    await().atMost(Duration.ofSeconds(10)).until(() -> proposals.size() == 3);
    long agreed = proposals.stream().mapToLong(Proposal::ts).max().orElseThrow();

    // its agreement goes out to member 0 only, and it dies
    sender.send(List.of(members.get(0)), TotalPeer.PREFIX, TotalPeer.class)
        .agree(new Agreement(app, id, agreed, "tie"));
    sender.close();

    await().atMost(Duration.ofSeconds(30)).until(() -> all.stream()
        .allMatch(d -> d.multicasts.heldBack(app) == 0));
    all.get(1).total(app).send("apply", "after");
    await().atMost(Duration.ofSeconds(20)).until(() -> logs.stream()
        .allMatch(l -> l.contains("after")));
    assertEquals(logs.get(0), logs.get(1), "members 0 and 1 settled it differently");
    assertEquals(logs.get(0), logs.get(2), "members 0 and 2 settled it differently");
  }

  @Test
  void aMessageLeftUnagreedByAProcessRestartedAtTheSameAddress_isSettled_notWaitedForEver() {
    String app = "restart-" + System.nanoTime();
    List<Dalua> all = group(2, app);
    List<Proposal> proposals = new CopyOnWriteArrayList<>();
    RpcProcess old = handSender(app, proposals, RpcConfig.defaults());
    List<ProcessId> members = all.stream().map(Dalua::self).toList();
    old.send(members, TotalPeer.PREFIX, TotalPeer.class).message(new Message(app,
        new MessageId(old.id(), 7, 0), "apply", new Object[] {"never agreed"}));
    await().atMost(Duration.ofSeconds(10)).until(() -> proposals.size() == 2);
    int port = old.id().port();

    // it dies before agreeing, and a new process takes its address at once
    old.close();
    Dalua again = Dalua.attach(open(RpcConfig.defaults().withPort(port)), Directory.local());
    again.process().export("apply", a -> null);
    again.apps().join(app);
    again.total(app).send("apply", "after");

    await().atMost(Duration.ofSeconds(20)).until(() -> logs.stream()
        .allMatch(l -> l.contains("after")));
    assertEquals(List.of("after"), logs.get(0));
    assertEquals(List.of("after"), logs.get(1));
  }
}
