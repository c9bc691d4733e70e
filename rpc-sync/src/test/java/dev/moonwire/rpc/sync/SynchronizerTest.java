package dev.moonwire.rpc.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Seed 004's test cases for synchronizers, over real processes on loopback. */
class SynchronizerTest extends ProcessTestSupport {
  // server state: touched by its events only
  private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
  private int largest;
  private int readers;
  private int writers;
  private int now;
  private final List<String> starts = new ArrayList<>();
  private boolean exclusionBroken;

  @Test
  void boundedBuffer_constraintsHoldCallers_everyItemDeliveredOnce() {
    RpcProcess server = open();
    // The data moves in the triggers, atomically with acceptance; a get's handler only hands
    // over what its trigger took for that very request.
    java.util.IdentityHashMap<dev.moonwire.rpc.Args, Integer> taken =
        new java.util.IdentityHashMap<>();
    Synchronizer s = Synchronizer.create()
        .addConstraint("buffer", "put", req -> buffer.size() < 2)
        .setTrigger("buffer", "put", req -> {
          buffer.add(req.intAt(0));
          largest = Math.max(largest, buffer.size());
        })
        .addConstraint("buffer", "get", req -> !buffer.isEmpty())
        .setTrigger("buffer", "get", req -> taken.put(req, buffer.poll()));
    server.export("put", s.guard("buffer", "put", a -> null));
    server.export("get", s.guard("buffer", "get", taken::remove));
    server.export("largest", a -> largest);
    RpcProcess consumer = open();
    // producers first: all but two are held
    Set<Integer> got = BufferClients.exchange(server, open(), consumer, 100, true);

    assertEquals(100, got.size());
    assertTrue((int) consumer.sync(server.id(), "largest").call() <= 2);
  }

  @Test
  void readersWriters_writerPriority_laterReadersWaitForAPendingWriter() {
    RpcProcess server = open();
    Synchronizer s = Synchronizer.create();
    s.addConstraint("rw", "startRead", req -> writers == 0 && s.pending("rw", "startWrite") == 0)
        .setTrigger("rw", "startRead", req -> readers++)
        .setTrigger("rw", "endRead", req -> readers--)
        .addConstraint("rw", "startWrite", req -> writers == 0 && readers == 0)
        .setTrigger("rw", "startWrite", req -> writers++)
        .setTrigger("rw", "endWrite", req -> writers--);
    for (String op : List.of("startRead", "endRead", "startWrite", "endWrite")) {
      server.export(op, s.guard("rw", op, a -> {
        if (op.startsWith("start")) {
          starts.add(a.stringAt(0));
          exclusionBroken |= writers > 1 || (writers > 0 && readers > 0);
        }
        return null;
      }));
    }
    server.export("pendingWriters", a -> s.pending("rw", "startWrite"));
    server.export("pendingReaders", a -> s.pending("rw", "startRead"));
    server.export("log", a -> List.copyOf(starts));
    server.export("broken", a -> exclusionBroken);
    RpcProcess client = open();

    client.sync(server.id(), "startRead").call("R1");
    RpcFuture<Object> w = client.future(server.id(), "startWrite").call("W");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (int) client.sync(server.id(), "pendingWriters").call() == 1);
    RpcFuture<Object> r2 = client.future(server.id(), "startRead").call("R2");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (int) client.sync(server.id(), "pendingReaders").call() == 1);

    client.sync(server.id(), "endRead").call("R1");
    w.join();
    assertEquals(1, (int) client.sync(server.id(), "pendingReaders").call(), "writer first");
    client.sync(server.id(), "endWrite").call("W");
    r2.join();

    assertEquals(List.of("R1", "W", "R2"), client.sync(server.id(), "log").call());
    assertEquals(false, client.sync(server.id(), "broken").call());
  }

  @Test
  void timeServer_delaysEndInWakeTimeOrder_asTheClockTicks() {
    RpcProcess server = open();
    Synchronizer s = Synchronizer.create()
        .setTrigger("clock", "tick", req -> now++)
        .addConstraint("clock", "delay", req -> now >= req.intAt(0));
    server.export("tick", s.guard("clock", "tick", a -> now));
    List<Integer> woke = new ArrayList<>();
    server.export("delay", s.guard("clock", "delay", a -> {
      woke.add(a.intAt(0));
      return now;
    }));
    server.export("woke", a -> List.copyOf(woke));
    server.export("pending", a -> s.pending("clock", "delay"));
    RpcProcess client = open();
    List<RpcFuture<Object>> delays = new ArrayList<>();
    for (int wake : new int[] {3, 1, 2}) {
      delays.add(client.future(server.id(), "delay").call(wake));
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (int) client.sync(server.id(), "pending").call() == 3);

    for (int t = 0; t < 3; t++) {
      client.sync(server.id(), "tick").call();
    }

    delays.forEach(RpcFuture::join);
    assertEquals(List.of(1, 2, 3), client.sync(server.id(), "woke").call());
  }

  private final java.util.IdentityHashMap<dev.moonwire.rpc.Args, Integer> fetched =
      new java.util.IdentityHashMap<>();

  private Synchronizer fetchBuffer(RpcProcess server) {
    Synchronizer s = Synchronizer.create()
        .addConstraint("buffer", "fetch", req -> !buffer.isEmpty())
        .setTrigger("buffer", "fetch", req -> fetched.put(req, buffer.poll()));
    server.export("fetch", s.guard("buffer", "fetch", fetched::remove));
    server.export("pending", a -> s.pending("buffer", "fetch"));
    return s;
  }

  @Test
  void heldInvocationCancelled_isNeverAcceptedLater_itsItemStaysForTheNext() {
    RpcProcess server = open();
    Synchronizer s = fetchBuffer(server);
    // holds the process (no suspension) across the fetch's deadline, then deposits: the
    // cancelled fetch has had no turn to leave the queue yet
    server.export("busyThenDeposit", a -> {
      long end = System.nanoTime() + 600_000_000L;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      buffer.add(a.intAt(0));
      s.recheck();
      return null;
    });
    RpcProcess client = open();

    var cancelled = client.future(server.id(), "fetch").withDeadline(Duration.ofMillis(200))
        .call();
    var deposit = client.future(server.id(), "busyThenDeposit").call(7);

    assertThrows(java.util.concurrent.ExecutionException.class, cancelled::get);
    assertEquals(7, (int) client.sync(server.id(), "fetch").withDeadline(Duration.ofSeconds(5))
        .call(), "the item the cancelled fetch would have taken");
    assertNull(deposit.join(), "the deposit's reply");
  }

  @Test
  void triggerThatThrowsOnTheFastPath_stillReleasesHeldInvocations() {
    RpcProcess server = open();
    Synchronizer s = fetchBuffer(server);
    s.setTrigger("buffer", "deposit", req -> buffer.add(req.intAt(0)))
        .setTrigger("buffer", "deposit", req -> {
          throw new IllegalStateException("second trigger fails");
        });
    server.export("deposit", s.guard("buffer", "deposit", a -> null));
    RpcProcess client = open();

    var held = client.future(server.id(), "fetch").withDeadline(Duration.ofSeconds(5)).call();
    await().atMost(Duration.ofSeconds(5)).until(() -> (int) client.sync(server.id(), "pending")
        .call() == 1);
    assertThrows(dev.moonwire.rpc.RemoteInvocationException.class,
        () -> client.sync(server.id(), "deposit").call(3));

    assertEquals(3, (int) held.join());
  }

  @Test
  void triggerThatSuspends_failsItsInvocationClearly() {
    RpcProcess server = open();
    Synchronizer s = Synchronizer.create().setTrigger("o", "op", req -> {
      dev.moonwire.rpc.Rpc.sleep(Duration.ofMillis(1));
    });
    server.export("op", s.guard("o", "op", a -> "ran"));

    var e = assertThrows(dev.moonwire.rpc.RemoteInvocationException.class,
        () -> open().sync(server.id(), "op").call());
    assertEquals(IllegalStateException.class.getName(), e.remoteClass());
    assertTrue(e.getMessage().contains("must not suspend"), e.getMessage());
  }
}
