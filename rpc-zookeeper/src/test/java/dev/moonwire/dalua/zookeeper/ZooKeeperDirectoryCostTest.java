package dev.moonwire.dalua.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.drivers.TracerDriver;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the ZooKeeper directory costs per call and per event, and what a bad node costs. */
@Timeout(120)
class ZooKeeperDirectoryCostTest extends ProcessTestSupport {
  private static final String GROUP = "G";

  /** The news a session was told, as "join p" / "leave p". */
  private static final class Seen implements Directory.Listener {
    final List<String> news = new CopyOnWriteArrayList<>();

    @Override
    public void joined(String app, ProcessId p) {
      news.add("join " + app + " " + p);
    }

    @Override
    public void left(String app, ProcessId p) {
      news.add("leave " + app + " " + p);
    }
  }

  /** The foreground ZooKeeper operations (each one round trip) a session made. */
  private static final class RoundTrips implements TracerDriver {
    final List<String> names = new CopyOnWriteArrayList<>();

    @Override
    public void addTrace(String name, long time, TimeUnit unit) {
      if (name.endsWith("-Foreground")) {
        names.add(name);
      }
    }

    @Override
    public void addCount(String name, int increment) {}
  }

  private static ZooKeeperDirectory directory(TestingServer zk) {
    return ZooKeeperDirectory.connect(zk.getConnectString(), Duration.ofSeconds(5),
        Duration.ofSeconds(5));
  }

  private List<ProcessId> joinMembers(ZooKeeperDirectory dir, int n) {
    List<ProcessId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RpcProcess p = open();
      dir.connect(p, new Seen()).join(GROUP);
      ids.add(p.id());
    }
    return ids;
  }

  @Test
  void processes_ofAGroupOfSix_costsOneRoundTrip_theDataFromTheCache() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      ZooKeeperDirectory dir = directory(zk);
      RoundTrips trips = new RoundTrips();
      Directory.Session observer = dir.tracedBy(trips).connect(open(), new Seen());
      observer.create(GROUP);
      List<ProcessId> members = joinMembers(dir, 6);

      // once its cache has the members (it follows ZooKeeper's news), a listing is one trip
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        trips.names.clear();
        assertEquals(members, observer.processes(GROUP));
        assertEquals(List.of("GetChildrenBuilderImpl-Foreground"), trips.names);
      });
    }
  }

  @Test
  void processes_withAMalformedMemberNode_skipsIt_andTheGroupGoesOn() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        CuratorFramework raw = CuratorFrameworkFactory.newClient(zk.getConnectString(),
            new RetryOneTime(100))) {
      raw.start();
      ZooKeeperDirectory dir = directory(zk);
      Seen seen = new Seen();
      RpcProcess a = open();
      Directory.Session session = dir.connect(a, seen);
      session.create(GROUP);
      session.join(GROUP);
      String group = ZooKeeperDirectory.APPS + "/" + GROUP;
      // written by something other than the directory: garbage, no data, and a foreign name
      raw.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(group + "/m-", "not a process".getBytes(StandardCharsets.UTF_8));
      raw.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(group + "/m-", null);
      raw.create().forPath(group + "/lock", "b:1".getBytes(StandardCharsets.UTF_8));
      List<ProcessId> b = joinMembers(dir, 1);

      assertEquals(List.of(a.id(), b.get(0)), session.processes(GROUP));
      // the cache's events skip the bad nodes too: the good member's join is told
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.news.contains(
          "join " + GROUP + " " + b.get(0)));
      assertEquals(List.of("join " + GROUP + " " + a.id(), "join " + GROUP + " " + b.get(0)),
          seen.news);
    }
  }

  @Test
  void events_withManyOtherGroups_tellEachMemberOnlyItsGroups_inOrder() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      ZooKeeperDirectory dir = directory(zk);
      Seen seen = new Seen();
      RpcProcess a = open();
      Directory.Session session = dir.connect(a, seen);
      session.create(GROUP);
      session.join(GROUP);
      Directory.Session other = dir.connect(open(), new Seen());
      for (int i = 0; i < 50; i++) {
        other.create("H" + i);
        other.join("H" + i);
      }
      List<ProcessId> b = joinMembers(dir, 2);
      other.join(GROUP);
      other.leave(GROUP);

      await().atMost(Duration.ofSeconds(10)).until(() -> seen.news.size() == 5);
      ProcessId o = other.processes("H0").get(0);
      assertEquals(List.of("join G " + a.id(), "join G " + b.get(0), "join G " + b.get(1),
          "join G " + o, "leave G " + o), seen.news);
    }
  }
}
