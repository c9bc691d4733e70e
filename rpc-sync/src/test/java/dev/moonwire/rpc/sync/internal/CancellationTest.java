package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DESIGN §2: every suspension point survives cancellation; nothing blocks holding the baton. */
class CancellationTest extends ProcessTestSupport {
  private final AtomicInteger slowInterrupted = new AtomicInteger();
  private final AtomicInteger slowStarted = new AtomicInteger();

  private RpcProcess slowPeer() {
    RpcProcess c = open();
    c.export("slow", a -> {
      slowStarted.incrementAndGet();
      try {
        Rpc.sleep(Duration.ofSeconds(30));
        return "late";
      } catch (CancelledException e) {
        slowInterrupted.incrementAndGet();
        throw e;
      }
    });
    c.export("quick", a -> a.get(0));
    return c;
  }

  @Test
  void joinCancelled_cancelsItsOwnCall_andTheProcessGoesOn() {
    RpcProcess c = slowPeer();
    RpcProcess b = open();
    AtomicInteger cancelledInJoin = new AtomicInteger();
    b.export("viaFuture", a -> {
      try {
        return Rpc.future(c.id(), "slow").call().join();
      } catch (CancelledException e) {
        cancelledInJoin.incrementAndGet();
        throw e;
      }
    });
    b.export("ping", a -> "pong");
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(b.id(), "viaFuture")
        .withDeadline(Duration.ofSeconds(30)).call();
    await().atMost(Duration.ofSeconds(5)).until(() -> slowStarted.get() == 1);

    // a CANCEL with every deadline far away (with a short one, the inner call's inherited
    // deadline may end it first: DeadlineExceeded, also right, but not what is tested here)
    f.cancel(true);

    await().atMost(Duration.ofSeconds(5)).until(() -> cancelledInJoin.get() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> slowInterrupted.get() == 1);
    assertEquals("pong", client.sync(b.id(), "ping").withDeadline(Duration.ofSeconds(5)).call());
  }

  @Test
  void getCancelledByDeadline_throwsCancelled_andTheProcessGoesOn() {
    RpcProcess c = slowPeer();
    RpcProcess b = open();
    b.export("viaGet", a -> Rpc.future(c.id(), "slow").call().get());
    b.export("ping", a -> "pong");
    RpcProcess client = open();

    assertThrows(DeadlineExceededException.class, () -> client.sync(b.id(), "viaGet")
        .withDeadline(Duration.ofMillis(300)).call());

    await().atMost(Duration.ofSeconds(5)).until(() -> slowInterrupted.get() == 1);
    assertEquals("pong", client.sync(b.id(), "ping").withDeadline(Duration.ofSeconds(5)).call());
  }

  @Test
  void awaitAllOf_insideHandler_suspendsUntilBothReplies() {
    RpcProcess c = slowPeer();
    RpcProcess b = open();
    b.export("both", a -> {
      RpcFuture<Integer> f1 = Rpc.future(c.id(), "quick").call(1);
      RpcFuture<Integer> f2 = Rpc.future(c.id(), "quick").call(2);
      Rpc.await(CompletableFuture.allOf(f1.toCompletableFuture(), f2.toCompletableFuture()));
      RpcFuture<Void> all = RpcFuture.allOf(f1, f2);
      Rpc.await(all);
      return f1.join() + f2.join() + (Integer) Rpc.await(RpcFuture.anyOf(f1, f2)) * 0;
    });
    RpcProcess client = open();

    assertEquals(3, (Integer) client.sync(b.id(), "both").withDeadline(Duration.ofSeconds(5))
        .call());
  }

  @Test
  void awaitOfForeignStage_insideHandler_otherEventsRunMeanwhile() throws Exception {
    RpcProcess b = open();
    CompletableFuture<String> foreign = new CompletableFuture<>();
    b.export("waitForeign", a -> Rpc.await(foreign));
    // completes the stage from another event of the same process: a plain join() would deadlock
    b.export("complete", a -> foreign.complete("done"));
    RpcProcess client = open();

    RpcFuture<String> waiting = client.future(b.id(), "waitForeign")
        .withDeadline(Duration.ofSeconds(5)).call();
    client.sync(b.id(), "complete").withDeadline(Duration.ofSeconds(5)).call();

    assertEquals("done", waiting.get());
  }

  @Test
  void awaitCancelledByDeadline_leaves_andTheProcessGoesOn() {
    RpcProcess b = open();
    AtomicInteger cancelled = new AtomicInteger();
    b.export("waitForever", a -> {
      try {
        return Rpc.await(new CompletableFuture<String>());
      } catch (CancelledException e) {
        cancelled.incrementAndGet();
        throw e;
      }
    });
    b.export("ping", a -> "pong");
    RpcProcess client = open();

    assertThrows(DeadlineExceededException.class, () -> client.sync(b.id(), "waitForever")
        .withDeadline(Duration.ofMillis(300)).call());

    await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 1);
    assertEquals("pong", client.sync(b.id(), "ping").withDeadline(Duration.ofSeconds(5)).call());
  }

  @Test
  void awaitOutsideAnyEvent_interrupted_throwsCancelled_keepingTheInterruptStatus()
      throws Exception {
    RpcProcess b = open();
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    CountDownLatch waiting = new CountDownLatch(1);
    Thread t = Thread.ofPlatform().start(() -> {
      waiting.countDown();
      try {
        outcome.complete(b.await(never));
      } catch (CancelledException e) {
        outcome.complete(Thread.currentThread().isInterrupted() ? "interrupted" : "cleared");
      }
    });
    waiting.await();
    await().atMost(Duration.ofSeconds(5)).until(() -> t.getState() == Thread.State.WAITING);

    t.interrupt();

    assertEquals("interrupted", outcome.get(5, TimeUnit.SECONDS));
    assertTrue(!never.isDone(), "the stage is left alone");
  }

  @Test
  void rpcAwait_withNoProcessOpen_answersAnInterruptAndACancel_asInsideOne() throws Exception {
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Thread t = Thread.ofPlatform().start(() -> {
      try {
        outcome.complete(Rpc.await(never)); // no process open: it just blocks
      } catch (CancelledException e) {
        outcome.complete(Thread.currentThread().isInterrupted() ? "interrupted" : "cleared");
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> t.getState() == Thread.State.WAITING);

    t.interrupt();

    assertEquals("interrupted", outcome.get(5, TimeUnit.SECONDS));
    CompletableFuture<String> cancelled = new CompletableFuture<>();
    cancelled.cancel(false);
    assertThrows(CancelledException.class, () -> Rpc.await(cancelled));
  }

  @Test
  void awaitOfFailedStage_throwsTheRpcExceptionUnwrapped() {
    RpcProcess c = slowPeer();
    RpcProcess b = open();
    b.export("failing", a -> {
      try {
        return Rpc.await(Rpc.future(c.id(), "nope").call());
      } catch (dev.moonwire.rpc.NoSuchFunctionException e) {
        return "unwrapped";
      }
    });

    assertEquals("unwrapped", open().sync(b.id(), "failing").call());
  }

  @Test
  void blockingHandler_isReportedOnce_withItsStack() {
    RpcProcess b = open(RpcConfig.defaults().withBlockedEventThreshold(Duration.ofMillis(100)));
    b.export("blocks", a -> {
      // what the checker is for: a blocking wait that is not a suspension point
      new CountDownLatch(1).await(600, TimeUnit.MILLISECONDS);
      return "woke";
    });
    b.export("suspends", a -> {
      Rpc.sleep(Duration.ofMillis(600)); // a suspension point: nothing to report
      return "woke";
    });
    RpcProcess client = open();
    RuntimeProcess rb = (RuntimeProcess) b;

    assertEquals("woke", client.sync(b.id(), "suspends").call());
    assertEquals(0, rb.diagnostics().blockedEventReports());
    assertEquals("woke", client.sync(b.id(), "blocks").call());

    await().atMost(Duration.ofSeconds(5)).until(() -> rb.diagnostics().blockedEventReports() >= 1);
    assertEquals(1, rb.diagnostics().blockedEventReports(), "once per event");
    assertTrue(rb.diagnostics().lastBlockedEventStack().contains("CountDownLatch.await"),
        rb.diagnostics().lastBlockedEventStack());
    assertTrue(rb.diagnostics().lastBlockedEventStack().contains(CancellationTest.class.getName()),
        rb.diagnostics().lastBlockedEventStack());
  }

  @Test
  void blockedEventChecker_zeroThreshold_isOff() {
    RpcProcess b = open(RpcConfig.defaults().withBlockedEventThreshold(Duration.ZERO));
    b.export("blocks", a -> {
      new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS);
      return "woke";
    });
    assertEquals("woke", open().sync(b.id(), "blocks").call());
    assertEquals(0, ((RuntimeProcess) b).diagnostics().blockedEventReports());
  }

  @Test
  void syncCallCancelled_throwsCancelledInTheHandler_andCancelsItsCall() {
    RpcProcess c = slowPeer();
    RpcProcess b = open();
    List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    b.export("viaSync", a -> {
      try {
        return Rpc.sync(c.id(), "slow").call();
      } catch (RuntimeException e) {
        seen.add(e);
        throw e;
      }
    });
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(b.id(), "viaSync").withDeadline(Duration.ofSeconds(30))
        .call();
    await().atMost(Duration.ofSeconds(5)).until(() -> slowStarted.get() == 1);

    f.cancel(true); // a CANCEL, with every deadline far away

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
    assertInstanceOf(CancelledException.class, seen.get(0));
    await().atMost(Duration.ofSeconds(5)).until(() -> slowInterrupted.get() == 1);
  }

  @Test
  void handlerThatThrowsCancelled_isReportedToItsCallerAsRemoteInvocation() {
    // a CancelledException thrown by user code that was not cancelled is just an exception
    RpcProcess b = open();
    b.export("throws", a -> {
      throw new CancelledException("mine");
    });
    var e = assertThrows(RemoteInvocationException.class, () -> open().sync(b.id(), "throws")
        .call());
    assertTrue(e.getMessage().contains("mine"));
  }
}
