package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyncCallTest extends ProcessTestSupport {

  /** Runs {@code body} as an event of {@code p} and returns what it returned. */
  private <T> T inside(RpcProcess p, java.util.concurrent.Callable<T> body) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    p.execute(() -> {
      try {
        f.complete(body.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    try {
      return get(f);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  @Test
  void syncCall_fromPlainThread_blocksAndReturnsTheValue() {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("add", args -> args.intAt(0) + args.intAt(1));

    int sum = client.sync(server.id(), "add").call(2, 3);

    assertEquals(5, sum);
  }

  @Test
  void handlers_runOnVirtualThreads_carriedByTheIoThreadOnlyWhenAskedFor() {
    RpcProcess server = open();
    // a mounted virtual thread prints its carrier after '@'
    server.export("where", args -> Thread.currentThread().isVirtual() + " "
        + Thread.currentThread());

    String where = open().sync(server.id(), "where").call();

    assertTrue(where.startsWith("true "), where);
    assertEquals(EventThreads.CARRIED, where.contains("@moonwire-io"), where);
  }

  @Test
  void nestedCalls_aCallsBWhichCallsBackIntoA_noDeadlock() throws Exception {
    RpcProcess a = open();
    RpcProcess b = open();
    a.export("answer", args -> 42);
    b.export("askBack", args -> (int) Rpc.sync(a.id(), "answer").call() + 1);
    a.export("start", args -> (int) Rpc.sync(b.id(), "askBack").call() + 1);
    RpcProcess client = open();

    int v = client.sync(a.id(), "start").call();

    assertEquals(44, v);
  }

  @Test
  void selfCall_fromHandler_isServedWhileCallerIsSuspended() {
    RpcProcess a = open();
    a.export("inner", args -> "inner");
    a.export("outer", args -> "outer+" + Rpc.sync(a.id(), "inner").call());

    String v = open().sync(a.id(), "outer").call();

    assertEquals("outer+inner", v);
  }

  private int shared; // state of the server process, touched only by its events

  @Test
  void handlerState_changesOnlyAcrossExplicitSuspensionPoints() throws Exception {
    RpcProcess server = open();
    server.export("modify", args -> ++shared);
    server.export("observe", args -> {
      int before = shared;
      // queue a request that modifies the state: it is in the run-queue when call() returns
      Rpc.async(server.id(), "modify", v -> { }).call();
      long work = 0;
      for (int i = 0; i < 1_000_000; i++) {
        work += i;
      }
      int withoutSuspension = shared;
      Rpc.sleep(Duration.ofMillis(1)); // an explicit suspension point
      int acrossSuspension = shared;
      return new int[] {before, withoutSuspension, acrossSuspension, (int) (work & 1)};
    });

    int[] seen = open().sync(server.id(), "observe").call();

    assertEquals(seen[0], seen[1], "state changed with no suspension point in between");
    assertNotEquals(seen[1], seen[2], "the queued request should run while the handler sleeps");
  }

  @Test
  void requestsFromOneCaller_startInTheOrderSent_underTheBaton() throws Exception {
    RpcProcess server = open();
    List<Integer> order = new ArrayList<>();
    server.export("log", args -> {
      order.add(args.intAt(0));
      if (args.intAt(0) % 10 == 0) {
        Rpc.sleep(Duration.ofMillis(1)); // suspensions must not reorder the starts
      }
      return null;
    });
    RpcProcess client = open();
    CountDownLatch done = new CountDownLatch(2_000);
    var log = client.async(server.id(), "log", v -> done.countDown());

    for (int i = 0; i < 2_000; i++) {
      log.call(i);
    }

    assertTrue(done.await(60, TimeUnit.SECONDS));
    List<Integer> seen = inside(server, () -> List.copyOf(order));
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(i, seen.get(i), "start order");
    }
  }

  private int suspendedNow; // server state
  private RpcFuture<Integer> gate; // slow peer state

  @Test
  void tenThousandHandlersSuspendedAtOnce_allComplete_processStaysResponsive() throws Exception {
    AtomicBoolean released = new AtomicBoolean();
    RpcProcess gatekeeper = open();
    gatekeeper.export("open", args -> {
      while (!released.get()) {
        Rpc.sleep(Duration.ofMillis(20));
      }
      return 7;
    });
    RpcProcess slowPeer = open();
    slowPeer.export("slow", args -> {
      if (gate == null) {
        gate = Rpc.future(gatekeeper.id(), "open").call();
      }
      return gate.join();
    });
    RpcProcess server = open();
    server.export("relay", args -> {
      suspendedNow++;
      int v = Rpc.sync(slowPeer.id(), "slow").call();
      suspendedNow--;
      return v;
    });
    server.export("ping", args -> "pong");
    RpcProcess client = open();
    AtomicInteger sevens = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    var relay = client.<Integer>async(server.id(), "relay", v -> {
      if (v == 7) {
        sevens.incrementAndGet();
      }
    }, e -> failures.incrementAndGet());

    for (int i = 0; i < 10_000; i++) {
      relay.call();
    }

    await().atMost(Duration.ofSeconds(60))
        .until(() -> inside(server, () -> suspendedNow) == 10_000);
    assertEquals("pong", client.sync(server.id(), "ping").call(), "responsive meanwhile");
    released.set(true);
    await().atMost(Duration.ofSeconds(60)).until(() -> sevens.get() + failures.get() == 10_000);
    assertEquals(0, failures.get());
    assertEquals(0, (int) inside(server, () -> suspendedNow));
  }

  @Test
  void getAverage_withSyncCallsInALoop_isRight() throws Exception {
    List<ProcessId> servers = new ArrayList<>();
    for (int v : new int[] {3, 5, 10}) {
      RpcProcess s = open();
      s.export("getValue", args -> v);
      servers.add(s.id());
    }
    RpcProcess me = open();
    me.export("getavrg", args -> {
      double acc = 0;
      for (ProcessId s : servers) {
        int value = Rpc.sync(s, "getValue").call();
        acc += value;
      }
      return acc / servers.size();
    });

    double avg = open().sync(me.id(), "getavrg").call();

    assertEquals(6.0, avg, 1e-9);
  }

  @Test
  void typedErrors_arriveAsThrownExceptions() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("explode", args -> {
      throw new IllegalStateException("boom");
    });
    server.export("slow", args -> {
      Rpc.sleep(Duration.ofSeconds(5));
      return 1;
    });
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }

    var remote = assertThrows(RemoteInvocationException.class,
        () -> client.sync(server.id(), "explode").call());
    assertEquals(IllegalStateException.class.getName(), remote.remoteClass());
    assertThrows(NoSuchFunctionException.class, () -> client.sync(server.id(), "nope").call());
    assertThrows(DeadlineExceededException.class,
        () -> client.sync(server.id(), "slow").withDeadline(Duration.ofMillis(100)).call());
    assertThrows(PeerUnavailableException.class,
        () -> client.sync(ProcessId.of("127.0.0.1", deadPort), "x").call());
    // and the same from inside a handler, where the call suspends instead of blocking
    Object inHandler = inside(client, () -> {
      try {
        return Rpc.sync(server.id(), "explode").call();
      } catch (RemoteInvocationException e) {
        return e;
      }
    });
    assertInstanceOf(RemoteInvocationException.class, inHandler);
  }

  @Test
  void sleep_insideHandler_letsTheProcessServeOthers() throws Exception {
    RpcProcess server = open(dev.moonwire.rpc.RpcConfig.defaults().withCloseGrace(Duration.ZERO));
    CountDownLatch quickDone = new CountDownLatch(1);
    server.export("sleepy", args -> {
      Rpc.sleep(Duration.ofSeconds(30));
      return "late";
    });
    server.export("quick", args -> "quick");
    RpcProcess client = open();
    CompletableFuture<Object> sleepy = new CompletableFuture<>();
    client.async(server.id(), "sleepy", sleepy::complete, sleepy::complete)
        .withDeadline(Duration.ofSeconds(60)).call();

    client.async(server.id(), "quick", v -> quickDone.countDown()).call();

    assertTrue(quickDone.await(20, TimeUnit.SECONDS), "quick call blocked by a sleeping one");
    assertTrue(!sleepy.isDone());
    server.close(); // fails the sleeper's pending state quickly; nothing hangs
    Object outcome = sleepy.get(20, TimeUnit.SECONDS);
    assertTrue(outcome instanceof dev.moonwire.rpc.PeerUnavailableException,
        "the sleeper's caller is told its callee closed: " + outcome);
  }

  @Test
  void sleep_insideHandler_sleepsAtLeastItsDuration_thenGoesOn() {
    RpcProcess server = open();
    server.export("nap", args -> {
      long t0 = System.nanoTime();
      Rpc.sleep(Duration.ofMillis(200));
      return (System.nanoTime() - t0) / 1_000_000;
    });

    long slept = open().sync(server.id(), "nap").call();

    assertTrue(slept >= 200 && slept < 10_000, "slept " + slept + " ms");
  }
}
