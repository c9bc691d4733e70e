package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Groups held by a hub process for members in other JVMs (ALua's daemon). */
class HubDirectoryTest extends ProcessTestSupport {
  @Test
  void membersInOtherJvms_joinThroughTheHub_andAKilledOnesLeaveIsRaisedOnTheOthers()
      throws Exception {
    RpcProcess hub = open();
    Dalua hubDalua = Dalua.attach(hub, Directory.hostedBy(hub.id()));
    hubDalua.apps().create("Grupo");
    Dalua local = Dalua.attach(open(), Directory.hostedBy(hub.id()));
    List<String> seen = new CopyOnWriteArrayList<>();
    local.events().monitor(Dalua.APP_JOIN, (e, a) -> seen.add("join " + a.get(1)));
    local.events().monitor(Dalua.APP_LEAVE, (e, a) -> seen.add("leave " + a.get(1)));
    local.apps().join("Grupo");

    List<ProcessId> children = hub.spawn(2, HubMember.class, hub.id().toString(), "Grupo");

    await().atMost(Duration.ofSeconds(20))
        .until(() -> local.apps().processes("Grupo").size() == 3);
    assertTrue(local.apps().processes("Grupo").containsAll(children));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
    assertEquals("join " + local.self(), seen.get(0));
    var e = assertThrows(GroupException.class, () -> local.apps().create("Grupo"));
    assertTrue(e.getMessage().contains("exists"), e.getMessage());

    long pid = local.process().sync(children.get(0), "pid").call();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: nobody says goodbye

    // the hub drops a member unreachable for 5 s (Liveness), pinging each second
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("leave " + children.get(0)));
    assertEquals(List.of(local.self(), children.get(1)), local.apps().processes("Grupo"));
  }

  @Test
  void aMemberThatIsOnlyBusy_isNotDropped() {
    RpcProcess hub = open();
    Dalua.attach(hub, Directory.hostedBy(hub.id())).apps().create("G");
    Dalua busy = Dalua.attach(open(), Directory.hostedBy(hub.id()));
    Dalua watcher = Dalua.attach(open(), Directory.hostedBy(hub.id()));
    List<Object> left = new CopyOnWriteArrayList<>();
    watcher.events().monitor(Dalua.APP_LEAVE, (e, a) -> left.add(a.get(1)));
    busy.apps().join("G");
    watcher.apps().join("G");
    CountDownLatch free = new CountDownLatch(1);
    busy.process().execute(() -> { // it answers no ping for a while (a long GC, a busy event)
      try {
        free.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    // longer than a ping's 2 s deadline, twice over: the hub must not take it for dead
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(left::isEmpty);
    free.countDown();

    assertEquals(List.of(busy.self(), watcher.self()), watcher.apps().processes("G"));
    assertEquals(List.of(), left);
  }

  @Test
  void withTheHubGone_groupCallsFailTyped() {
    RpcProcess hub = open();
    Dalua.attach(hub, Directory.hostedBy(hub.id())).apps().create("G");
    Dalua member = Dalua.attach(open(), Directory.hostedBy(hub.id()));
    member.apps().join("G");

    hub.close();

    assertThrows(PeerUnavailableException.class, () -> member.apps().processes("G"));
  }
}
