package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SpawnFailedException;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ALua's spawn, with real child JVMs. */
class SpawnTest extends ProcessTestSupport {
  /** The JVMs running {@code main} that this JVM started. */
  private static List<ProcessHandle> childrenRunning(Class<?> main) {
    return ProcessHandle.current().children()
        .filter(h -> h.info().commandLine().orElse("").contains(main.getName()))
        .toList();
  }

  @Test
  void spawn_returnsOnceEachChildHasOpenedItsProcess_andItsFunctionsAreThere() {
    RpcProcess parent = open();

    List<ProcessId> children = parent.spawn(3, SpawnMains.Echo.class, "a", "b");

    assertEquals(3, children.size());
    for (int i = 0; i < 3; i++) {
      assertEquals("child " + i + " a,b", parent.sync(children.get(i), "whoami").call());
      assertEquals(parent.id(), parent.sync(children.get(i), "parent").call());
    }
    assertTrue(Rpc.parent().isEmpty(), "this JVM was not spawned");
    parent.close();
    await().atMost(Duration.ofSeconds(20))
        .until(() -> childrenRunning(SpawnMains.Echo.class).isEmpty());
  }

  @Test
  void spawn_insideAnEvent_suspends_andTheProcessServesOthersMeanwhile() {
    RpcProcess parent = open();
    RpcProcess other = open();
    parent.export("ping", a -> "pong");

    RpcFuture<List<ProcessId>> spawned = parent.submit(() -> Rpc.spawn(1, SpawnMains.Echo.class));
    assertEquals("pong", other.sync(parent.id(), "ping").call()); // served while spawning

    assertEquals(1, spawned.join().size());
  }

  @Test
  void aChildThatExits_failsTheSpawn_namingIt_itsExitCodeAndOutput_andTheOthersStop() {
    RpcProcess parent = open();

    var e = assertThrows(SpawnFailedException.class,
        () -> parent.spawn(3, SpawnMains.SecondFails.class));

    assertEquals(1, e.child());
    assertEquals(3, e.exitCode());
    assertTrue(e.lastOutput().contains("bad config: no file /etc/nowhere.conf"),
        e.lastOutput().toString());
    assertTrue(e.getMessage().contains("child 1 of 3"), e.getMessage());
    await().atMost(Duration.ofSeconds(20))
        .until(() -> childrenRunning(SpawnMains.SecondFails.class).isEmpty());
  }

  @Test
  void aChildWhoseMainThrows_failsTheSpawn_withTheExceptionInItsOutput() {
    RpcProcess parent = open();

    var e = assertThrows(SpawnFailedException.class,
        () -> parent.spawn(1, SpawnMains.Throws.class));

    assertEquals(1, e.exitCode());
    assertTrue(String.join("\n", e.lastOutput()).contains("setting 'x' is missing"),
        e.lastOutput().toString());
  }

  @Test
  void aChildThatNeverOpensAProcess_failsTheSpawnAtTheDeadline_andIsStopped() {
    RpcProcess parent = open(RpcConfig.defaults().withDeadline(Duration.ofSeconds(4)));

    var e = assertThrows(SpawnFailedException.class,
        () -> parent.spawn(1, SpawnMains.Never.class));

    assertEquals(-1, e.exitCode());
    assertTrue(e.getMessage().contains("did not open a process within 4000 ms"), e.getMessage());
    assertTrue(e.lastOutput().contains("starting, slowly"), e.lastOutput().toString());
    await().atMost(Duration.ofSeconds(20))
        .until(() -> childrenRunning(SpawnMains.Never.class).isEmpty());
  }

  @Test
  void childrenStopThemselves_whenTheirParentJvmIsKilled() throws Exception {
    try (ChildPeer parentJvm = ChildPeer.start(SpawnMains.Parent.class)) {
      RpcProcess me = open();
      List<Long> pids = me.sync(parentJvm.id, "childPids").call();
      assertEquals(2, pids.size());
      assertTrue(pids.stream().allMatch(p -> ProcessHandle.of(p).isPresent()));

      parentJvm.kill(); // SIGKILL: no close, no shutdown hook

      await().atMost(Duration.ofSeconds(30)).until(() ->
          pids.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive)
              .orElse(false)));
    }
  }
}
