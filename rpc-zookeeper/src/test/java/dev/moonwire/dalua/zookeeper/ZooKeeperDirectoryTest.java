package dev.moonwire.dalua.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ZooKeeper directory against real servers from curator-test. */
@Timeout(120)
class ZooKeeperDirectoryTest extends ProcessTestSupport {
  private static final Duration SESSION = Duration.ofSeconds(2);

  private Dalua attach(String connectString) {
    return Dalua.attach(open(), ZooKeeperDirectory.connect(connectString, SESSION,
        Duration.ofSeconds(2)));
  }

  private static List<String> watch(Dalua d) {
    List<String> seen = new CopyOnWriteArrayList<>();
    d.events().monitor(Dalua.APP_JOIN, (e, a) -> seen.add("join " + a.get(1)));
    d.events().monitor(Dalua.APP_LEAVE, (e, a) -> seen.add("leave " + a.get(1)));
    return seen;
  }

  @Test
  void groupsInJoinOrder_typedErrors_andJoinLeaveEventsOnEveryMember() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      Dalua a = attach(zk.getConnectString());
      Dalua b = attach(zk.getConnectString());
      Dalua c = attach(zk.getConnectString());
      List<String> seenA = watch(a);
      a.apps().create("G");
      assertThrows(GroupException.class, () -> b.apps().create("G"));
      assertThrows(GroupException.class, () -> b.apps().join("nowhere"));

      b.apps().join("G");
      a.apps().join("G");
      c.apps().join("G");
      b.apps().leave("G");

      assertEquals(List.of(a.self(), c.self()), c.apps().processes("G"));
      assertTrue(b.apps().applications().contains("G"));
      await().atMost(Duration.ofSeconds(10)).until(() -> seenA.size() == 3);
      assertEquals(List.of("join " + a.self(), "join " + c.self(), "leave " + b.self()), seenA);

      c.process().close(); // its session ends with it: the others see it leave at once
      await().atMost(Duration.ofSeconds(5)).until(() -> seenA.size() == 4);
      assertEquals("leave " + c.self(), seenA.get(3));
    }
  }

  @Test
  void threeMemberJvms_oneSigkilled_theOthersSeeItLeave_withinTheSessionTimeout()
      throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      Dalua watcher = attach(zk.getConnectString());
      watcher.apps().create("G");
      watcher.apps().join("G");
      List<String> seen = watch(watcher);

      List<ProcessId> members = watcher.process().spawn(3, ZkMember.class,
          zk.getConnectString(), "G", String.valueOf(SESSION.toMillis()));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> watcher.apps().processes("G").size() == 4);
      long pid = watcher.process().sync(members.get(1), "pid").call();

      long killedAt = System.nanoTime();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL

      await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("leave " + members.get(1)));
      long tookMillis = (System.nanoTime() - killedAt) / 1_000_000;
      assertTrue(tookMillis < SESSION.toMillis() * 3, "left after " + tookMillis + " ms");
      List<ProcessId> left = watcher.apps().processes("G");
      assertEquals(watcher.self(), left.get(0)); // the children joined in whatever order
      assertEquals(java.util.Set.of(members.get(0), members.get(2)),
          java.util.Set.copyOf(left.subList(1, 3)));
    }
  }

  @Test
  void aThreeNodeEnsemble_losesANode_andMembershipGoesOn() throws Exception {
    try (TestingCluster cluster = new TestingCluster(3)) {
      cluster.start();
      Dalua a = attach(cluster.getConnectString());
      // start() returns before a leader is elected: the first write tells
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        a.apps().create("G");
        return true;
      });
      a.apps().join("G");

      InstanceSpec lost = cluster.getInstances().iterator().next();
      cluster.killServer(lost);

      Dalua b = attach(cluster.getConnectString());
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        b.apps().join("G");
        return b.apps().processes("G").equals(List.of(a.self(), b.self()));
      });
    }
  }

  @Test
  void withZooKeeperGone_callsGoOn_groupCallsFailTyped_thenRecover() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      Dalua a = attach(zk.getConnectString());
      Dalua b = attach(zk.getConnectString());
      b.process().export("hello", args -> "hello " + args.stringAt(0));
      a.apps().create("G");
      a.apps().join("G");
      b.apps().join("G");
      List<ProcessId> known = a.apps().processes("G");

      zk.stop();

      // the members a knew are still called, ZooKeeper or not
      assertEquals(List.of(a.self(), b.self()), known);
      assertEquals("hello a", a.process().sync(known.get(1), "hello").call("a"));
      var e = assertThrows(PeerUnavailableException.class, () -> a.apps().processes("G"));
      assertTrue(e.getMessage().contains("ZooKeeper at"), e.getMessage());

      zk.restart();

      // gone longer than a's session timeout, ZooKeeper dropped a (fenced): it joins again
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        try {
          return a.apps().applications().contains("G");
        } catch (FencedException dropped) {
          a.apps().join("G");
          return false;
        }
      });
    }
  }
}
