package dev.moonwire.rpc.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Seed 000's monitors, over real processes on loopback. */
class MonitorTest extends ProcessTestSupport {
  private final List<String> log = new ArrayList<>(); // server state: its events only

  private <T> T inside(RpcProcess p, java.util.function.Supplier<T> read) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    p.execute(() -> f.complete(read.get()));
    return get(f);
  }

  @Test
  void doWhenFree_heldAcrossSuspensions_otherEntriesWait_otherFunctionsStillRun()
      throws Exception {
    RpcProcess server = open();
    Monitor m = Monitor.create();
    server.export("put", m.doWhenFree(a -> {
      log.add("in");
      Rpc.sleep(Duration.ofMillis(5)); // suspends, holding the monitor
      log.add("out");
      return null;
    }));
    server.export("free", a -> log.add("free"));
    RpcProcess client = open();
    AtomicInteger done = new AtomicInteger();
    var put = client.async(server.id(), "put", v -> done.incrementAndGet());

    for (int i = 0; i < 20; i++) {
      put.call();
    }
    client.async(server.id(), "free", v -> done.incrementAndGet()).call();

    await().atMost(Duration.ofSeconds(20)).until(() -> done.get() == 21);
    List<String> seen = inside(server, () -> List.copyOf(log));
    List<String> entries = seen.stream().filter(e -> !e.equals("free")).toList();
    for (int i = 0; i < entries.size(); i++) {
      assertEquals(i % 2 == 0 ? "in" : "out", entries.get(i), "overlap at " + i + ": " + seen);
    }
    assertTrue(seen.indexOf("free") < seen.lastIndexOf("in"),
        "the process was blocked by the monitor: " + seen);
  }

  private final ArrayDeque<Integer> buffer = new ArrayDeque<>(); // server state
  private int largest;

  @Test
  void boundedBuffer_withAwait_deliversEveryItemOnce_neverOverCapacity() throws Exception {
    RpcProcess server = open();
    Monitor bufmon = Monitor.create();
    server.export("put", bufmon.doWhenFree(a -> {
      bufmon.await(() -> buffer.size() < 2);
      buffer.add(a.intAt(0));
      largest = Math.max(largest, buffer.size());
      return null;
    }));
    server.export("get", bufmon.doWhenFree(a -> {
      bufmon.await(() -> !buffer.isEmpty());
      return buffer.poll();
    }));
    // consumers first: they all wait on an empty buffer
    Set<Integer> got = BufferClients.exchange(server, open(), open(), 50, false);

    assertEquals(50, got.size());
    assertTrue(inside(server, () -> largest) <= 2);
  }

  @Test
  void awaitOutsideTheMonitor_orOffTheProcess_failsClearly() {
    Monitor m = Monitor.create();
    assertThrows(IllegalStateException.class, m::signalAll);
    RpcProcess server = open();
    server.export("bad", a -> {
      m.await(() -> true);
      return null;
    });

    var e = assertThrows(RemoteInvocationException.class,
        () -> open().sync(server.id(), "bad").call());
    assertEquals(IllegalStateException.class.getName(), e.remoteClass());
  }

  @Test
  void reentrantEntry_doesNotDeadlock() {
    RpcProcess server = open();
    Monitor m = Monitor.create();
    dev.moonwire.rpc.Handler inner = m.doWhenFree(a -> "inner");
    server.export("outer", m.doWhenFree(a -> "outer+" + inner.handle(a)));

    assertEquals("outer+inner", open().sync(server.id(), "outer").call());
  }

  private int inside;
  private int overlaps;
  private int cancelledWaits;

  @Test
  void awaitCancelledWhileTheHolderIsSuspended_neverLetsTwoInside() throws Exception {
    RpcProcess server = open();
    Monitor m = Monitor.create();
    dev.moonwire.rpc.Handler body = a -> {
      overlaps += inside > 0 ? 1 : 0;
      inside++;
      try {
        Rpc.sleep(Duration.ofMillis(a.longAt(0))); // suspended, holding the monitor
      } finally {
        inside--;
      }
      return null;
    };
    dev.moonwire.rpc.Handler waitForever = m.doWhenFree(a -> {
      m.await(() -> false);
      return null;
    });
    server.export("waitForever", a -> {
      try {
        return waitForever.handle(a);
      } catch (dev.moonwire.rpc.CancelledException e) {
        cancelledWaits++;
        throw e;
      }
    });
    server.export("enter", m.doWhenFree(body));
    server.export("cancelledWaits", a -> cancelledWaits);
    RpcProcess client = open();

    // W waits in await (the monitor is free again); H enters and suspends inside for a while
    var w = client.future(server.id(), "waitForever").withDeadline(Duration.ofMillis(300)).call();
    var h = client.future(server.id(), "enter").withDeadline(Duration.ofSeconds(20)).call(1500L);
    // W is cancelled while H is inside; W must not release what H holds
    assertThrows(java.util.concurrent.ExecutionException.class, w::get);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> (int) client.sync(server.id(), "cancelledWaits").call() == 1);
    // E tries to enter while H is still inside
    var e = client.future(server.id(), "enter").withDeadline(Duration.ofSeconds(20)).call(10L);

    h.get();
    e.get();
    assertEquals(0, inside(server, () -> overlaps), "events inside the monitor at once");
  }

  @Test
  void conditionThatSuspends_failsClearly() {
    RpcProcess server = open();
    Monitor m = Monitor.create();
    server.export("bad", m.doWhenFree(a -> {
      m.await(() -> {
        Rpc.sleep(Duration.ofMillis(1));
        return true;
      });
      return null;
    }));

    var e = assertThrows(RemoteInvocationException.class,
        () -> open().sync(server.id(), "bad").call());
    assertEquals(IllegalStateException.class.getName(), e.remoteClass());
    assertTrue(e.getMessage().contains("must not suspend"), e.getMessage());
  }
}
