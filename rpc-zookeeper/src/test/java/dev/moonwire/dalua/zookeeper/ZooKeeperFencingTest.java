package dev.moonwire.dalua.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Mutex;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Membership epochs and fencing on ZooKeeper (issue 20 §2.3): the epoch is the ZooKeeper
 * session's, and a member whose session expired — cut off past the session timeout, for real —
 * is fenced until it joins again.
 */
@Timeout(180)
class ZooKeeperFencingTest extends ProcessTestSupport {
  private static final String GROUP = "G";

  /** No news wanted: these tests read the session's answers. */
  private static final Directory.Listener QUIET = new Directory.Listener() {
    @Override
    public void joined(String app, ProcessId p) {}

    @Override
    public void left(String app, ProcessId p) {}
  };

  /** Keeps the mutex's members to the group's, as an application does. */
  private static Mutex mutexOfTheGroup(Dalua d) {
    Mutex m = d.mutex("m", d.apps().processes(GROUP));
    d.events().monitor(Dalua.APP_JOIN, (e, a) -> {
      if (!a.get(1, ProcessId.class).equals(d.self())) {
        m.add(a.get(1, ProcessId.class));
      }
    });
    d.events().monitor(Dalua.APP_LEAVE, (e, a) -> {
      if (!a.get(1, ProcessId.class).equals(d.self())) {
        m.remove(a.get(1, ProcessId.class));
      }
    });
    return m;
  }

  private static String address(InstanceSpec server) {
    return server.getHostname() + ":" + server.getPort();
  }

  private static void enterAndLeave(Mutex m) {
    m.enter();
    m.leave();
  }

  @Test
  void join_givesAnEpochPerSessionThatGrows_keptAcrossGroups_andHoldsAnswersFromTheCache()
      throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      ZooKeeperDirectory dir = ZooKeeperDirectory.connect(zk.getConnectString(),
          Duration.ofSeconds(5), Duration.ofSeconds(5));
      var p1 = open();
      var p2 = open();
      Directory.Session s1 = dir.connect(p1, QUIET);
      Directory.Session s2 = dir.connect(p2, QUIET);
      s1.create(GROUP);
      s1.create("H");
      assertEquals(0, s1.epoch());

      s1.join(GROUP);
      long e1 = s1.epoch();
      s2.join(GROUP);
      s1.join("H");

      assertTrue(e1 > 0, "epoch " + e1);
      assertTrue(s2.epoch() > e1, s2.epoch() + " after " + e1);
      assertEquals(e1, s1.epoch(), "a second group keeps the epoch");
      await().atMost(Duration.ofSeconds(10)).until(() -> s2.holds(p1.id()));
      assertFalse(s2.holds(open().id()));
      s1.leave(GROUP);
      s1.leave("H");
      await().atMost(Duration.ofSeconds(10)).until(() -> !s2.holds(p1.id()));
      s1.confirm(); // in no group: nothing to confirm
      s2.confirm();
    }
  }

  @Test
  void aMemberWhoseSessionExpired_isFenced_seesItsOwnLeave_andRejoinsInANewEpoch()
      throws Exception {
    try (TestingCluster cluster = new TestingCluster(3)) {
      cluster.start();
      List<InstanceSpec> servers = new ArrayList<>(cluster.getInstances());
      InstanceSpec xServer = servers.get(0);
      // x reaches the ensemble through one server only; a through the two others, with a
      // session long enough to outlast an election should x's server have led
      Dalua a = Dalua.attach(open(), ZooKeeperDirectory.connect(address(servers.get(1)) + ","
          + address(servers.get(2)), Duration.ofSeconds(20), Duration.ofSeconds(5)));
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        a.apps().create(GROUP); // start() returns before a leader is elected
        return true;
      });
      Dalua x = Dalua.attach(open(), ZooKeeperDirectory.connect(address(xServer),
          Duration.ofSeconds(2), Duration.ofSeconds(2)).withoutEnsembleTracking());
      a.apps().join(GROUP);
      x.apps().join(GROUP);
      Mutex ma = mutexOfTheGroup(a);
      Mutex mx = mutexOfTheGroup(x);
      await().atMost(Duration.ofSeconds(10)).until(() -> ma.others().contains(x.self()));
      enterAndLeave(mx);
      Map<String, Long> xSawItsLeave = new ConcurrentHashMap<>();
      x.events().monitor(Dalua.APP_LEAVE, (e, args) -> {
        if (args.get(1, ProcessId.class).equals(x.self())) {
          xSawItsLeave.put(args.stringAt(0), args.longAt(2));
        }
      });
      AtomicBoolean aSawXLeave = new AtomicBoolean();
      a.events().monitor(Dalua.APP_LEAVE, (e, args) -> aSawXLeave.compareAndSet(false,
          args.get(1, ProcessId.class).equals(x.self())));

      cluster.killServer(xServer); // x is cut off: its session expires in the ensemble

      await().atMost(Duration.ofSeconds(60)).until(aSawXLeave::get);
      enterAndLeave(ma); // a goes on without x
      await().atMost(Duration.ofSeconds(30)).until(() -> xSawItsLeave.containsKey(GROUP));
      long firstEpoch = xSawItsLeave.get(GROUP);
      assertTrue(firstEpoch > 0, "epoch " + firstEpoch);
      assertThrows(FencedException.class, mx::enter, "entered with the state of an ended view");
      FencedException fenced = assertThrows(FencedException.class,
          () -> x.apps().processes(GROUP));
      assertTrue(fenced.getMessage().contains("dropped"), fenced.getMessage());

      cluster.restartServer(xServer);

      // x joins again once it reaches ZooKeeper: a new epoch, and it takes turns with a
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
        x.apps().join(GROUP);
        return true;
      });
      Mutex again = mutexOfTheGroup(x);
      await().atMost(Duration.ofSeconds(10)).until(() -> ma.others().contains(x.self()));
      assertEquals(Set.of(a.self(), x.self()), Set.copyOf(x.apps().processes(GROUP)));
      RpcFuture<Object> aIn = a.process().submit(() -> {
        enterAndLeave(ma);
        return "a in";
      });
      enterAndLeave(again);
      assertEquals("a in", aIn.join());
      takeUncaught(); // x's sends while cut off
    }
  }

  @Test
  void join_whileAnEndedIncarnationsNodeLives_dropsItFirst_theOthersSeeItLeaveThenJoin()
      throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      CuratorFramework oldIncarnation = CuratorFrameworkFactory.newClient(
          zk.getConnectString(), new RetryOneTime(100));
      oldIncarnation.start();
      ZooKeeperDirectory dir = ZooKeeperDirectory.connect(zk.getConnectString(),
          Duration.ofSeconds(5), Duration.ofSeconds(5));
      List<String> news = new CopyOnWriteArrayList<>();
      RpcProcess o = open();
      Directory.Session observer = dir.connect(o, new Directory.Listener() {
        @Override
        public void joined(String app, ProcessId p) {
          news.add("join " + p);
        }

        @Override
        public void left(String app, ProcessId p) {
          news.add("leave " + p);
        }
      });
      observer.create(GROUP);
      observer.join(GROUP);
      RpcProcess x = open();
      // x's previous incarnation at its address (dropped, or restarted), its session alive
      oldIncarnation.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(
          ZooKeeperDirectory.APPS + "/" + GROUP + "/m-",
          x.id().toString().getBytes(StandardCharsets.UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> news.contains("join " + x.id()));

      try {
        dir.connect(x, QUIET).join(GROUP);
      } finally {
        oldIncarnation.close(); // its session ends: x, in its own, stays a member
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> news.size() == 4);
      assertEquals(List.of("join " + o.id(), "join " + x.id(), "leave " + x.id(),
          "join " + x.id()), news);
      assertEquals(List.of(o.id(), x.id()), observer.processes(GROUP));
    }
  }

  @Test
  void leave_carriesTheEpochThatEnded_soAStaleLeaveCannotDropTheNewerRunAtThatAddress()
      throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      CuratorFramework oldRun = CuratorFrameworkFactory.newClient(zk.getConnectString(),
          new RetryOneTime(100));
      oldRun.start();
      ZooKeeperDirectory dir = ZooKeeperDirectory.connect(zk.getConnectString(),
          Duration.ofSeconds(5), Duration.ofSeconds(5));
      Dalua d = Dalua.attach(open(), dir);
      d.apps().create(GROUP);
      d.apps().join(GROUP);
      List<Long> leaveEpochs = new CopyOnWriteArrayList<>();
      d.events().monitor(Dalua.APP_LEAVE, (e, args) -> leaveEpochs.add(args.longAt(2)));
      List<ProcessId> joins = new CopyOnWriteArrayList<>();
      d.events().monitor(Dalua.APP_JOIN, (e, args) -> joins.add(args.get(1, ProcessId.class)));
      RpcProcess xp = open();
      // an earlier run at x's address, its session alive: its node goes when x joins
      org.apache.zookeeper.data.Stat old = new org.apache.zookeeper.data.Stat();
      oldRun.create().storingStatIn(old).withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(
          ZooKeeperDirectory.APPS + "/" + GROUP + "/m-",
          xp.id().toString().getBytes(StandardCharsets.UTF_8));
      Dalua x = Dalua.attach(xp, dir);
      try {
        x.apps().join(GROUP);
      } finally {
        oldRun.close();
      }
      // the old run leaves, then the new one joins (d's view now holds its epoch)
      await().atMost(Duration.ofSeconds(10)).until(() -> leaveEpochs.size() == 1
          && joins.stream().filter(x.self()::equals).count() == 2);
      long stale = leaveEpochs.get(0);
      assertEquals(old.getCzxid(), stale, "the old run's leave names its epoch");

      // the newer run speaks first; the old run's leave, told late, must not drop it
      Mutex md = d.mutex("m", List.of(d.self(), x.self()));
      Mutex mx = x.mutex("m", List.of(d.self(), x.self()));
      enterAndLeave(mx);
      md.remove(x.self(), stale);
      assertEquals(Set.of(x.self()), md.others(), "the newer run was dropped by a stale leave");
      enterAndLeave(mx);
      enterAndLeave(md);
    }
  }

  @Test
  void aMemberCutOffWithinItsSessionTimeout_isNotFenced_andGoesOnOnceZooKeeperIsBack()
      throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      // a 1 s connection timeout, so that Curator holds connection errors for its next caller
      // well before the 20 s session could expire
      Dalua a = Dalua.attach(open(), ZooKeeperDirectory.connect(zk.getConnectString(),
          Duration.ofSeconds(20), Duration.ofSeconds(1)));
      a.apps().create(GROUP);
      a.apps().join(GROUP);
      Mutex m = a.mutex("m", List.of(a.self()));
      List<Object> aSawLeave = new CopyOnWriteArrayList<>();
      a.events().monitor(Dalua.APP_LEAVE, (e, args) -> aSawLeave.add(args.get(1)));

      zk.stop();
      assertThrows(dev.moonwire.rpc.PeerUnavailableException.class,
          () -> a.apps().processes(GROUP));
      assertThrows(dev.moonwire.rpc.PeerUnavailableException.class,
          () -> a.apps().processes(GROUP));
      zk.restart();

      await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(
          dev.moonwire.rpc.PeerUnavailableException.class)
          .until(() -> a.apps().processes(GROUP).equals(List.of(a.self())));
      enterAndLeave(m);
      assertEquals(List.of(), aSawLeave);
    }
  }
}
