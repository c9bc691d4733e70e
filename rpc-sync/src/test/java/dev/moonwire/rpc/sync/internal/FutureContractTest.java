package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link RpcFuture}'s {@code Future} methods keep {@link java.util.concurrent.Future}'s contract;
 * {@code join()} keeps Moonwire's {@link CancelledException} (issue 21, item 11).
 */
class FutureContractTest extends ProcessTestSupport {
  private final AtomicInteger slowStarted = new AtomicInteger();
  private final AtomicInteger slowCancelled = new AtomicInteger();

  private RpcProcess slowPeer() {
    RpcProcess c = open();
    c.export("slow", a -> {
      slowStarted.incrementAndGet();
      try {
        Rpc.sleep(Duration.ofSeconds(30));
        return "late";
      } catch (CancelledException e) {
        slowCancelled.incrementAndGet();
        throw e;
      }
    });
    return c;
  }

  @Test
  void get_cancelledFuture_throwsCancellationException_joinThrowsCancelled() {
    RpcProcess c = slowPeer();
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(c.id(), "slow").call();
    await().atMost(Duration.ofSeconds(5)).until(() -> slowStarted.get() == 1);

    assertTrue(f.cancel(true));

    assertTrue(f.isCancelled());
    CancellationException ce = assertThrows(CancellationException.class, f::get);
    assertInstanceOf(CancelledException.class, ce.getCause());
    assertThrows(CancellationException.class, () -> f.get(1, TimeUnit.SECONDS));
    assertThrows(CancelledException.class, f::join);
    await().atMost(Duration.ofSeconds(5)).until(() -> slowCancelled.get() == 1);
  }

  @Test
  void get_interruptedOutsideAProcess_throwsInterrupted_andKeepsTheInterruptStatus()
      throws Exception {
    RpcProcess c = slowPeer();
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(c.id(), "slow").call();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        f.get();
      } catch (Throwable t) {
        thrown.set(t);
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      }
    });
    waiter.start();
    await().atMost(Duration.ofSeconds(5)).until(
        () -> waiter.getState() == Thread.State.WAITING && slowStarted.get() == 1);

    waiter.interrupt();
    waiter.join(5_000);

    assertInstanceOf(InterruptedException.class, thrown.get());
    assertEquals(true, stillInterrupted.get());
    f.cancel(true);
  }

  @Test
  void get_onAnAlreadyInterruptedThread_throwsInterruptedAtOnce() {
    RpcProcess c = slowPeer();
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(c.id(), "slow").call();
    Thread.currentThread().interrupt();
    try {
      assertThrows(InterruptedException.class, f::get);
      assertTrue(Thread.interrupted(), "the interrupt status is kept");
    } finally {
      Thread.interrupted();
      f.cancel(true);
    }
  }

  @Test
  void join_interruptedOutsideAProcess_throwsCancelled() throws Exception {
    RpcProcess c = slowPeer();
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(c.id(), "slow").call();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        f.join();
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    waiter.start();
    await().atMost(Duration.ofSeconds(5)).until(
        () -> waiter.getState() == Thread.State.WAITING && slowStarted.get() == 1);

    waiter.interrupt();
    waiter.join(5_000);

    assertInstanceOf(CancelledException.class, thrown.get());
    f.cancel(true);
  }

  @Test
  void get_insideAHandlerWhoseRequestIsCancelled_throwsInterrupted_andCancelsItsCall() {
    RpcProcess c = slowPeer();
    RpcProcess b = open();
    AtomicReference<Throwable> seen = new AtomicReference<>();
    b.export("viaGet", a -> {
      try {
        return Rpc.future(c.id(), "slow").call().get();
      } catch (Throwable t) {
        seen.set(t);
        throw t;
      }
    });
    b.export("ping", a -> "pong");
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(b.id(), "viaGet")
        .withDeadline(Duration.ofSeconds(30)).call();
    await().atMost(Duration.ofSeconds(5)).until(() -> slowStarted.get() == 1);

    f.cancel(true);

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() != null);
    assertInstanceOf(InterruptedException.class, seen.get());
    await().atMost(Duration.ofSeconds(5)).until(() -> slowCancelled.get() == 1);
    assertEquals("pong", client.sync(b.id(), "ping").withDeadline(Duration.ofSeconds(5)).call());
  }

  @Test
  void getWithTimeout_noReplyInTime_throwsTimeout_andTheCallGoesOn() throws Exception {
    RpcProcess c = open();
    CompletableFuture<Void> release = new CompletableFuture<>();
    c.export("held", a -> {
      Rpc.await(release);
      return "done";
    });
    RpcProcess client = open();
    RpcFuture<Object> f = client.future(c.id(), "held").call();

    assertThrows(TimeoutException.class, () -> f.get(50, TimeUnit.MILLISECONDS));

    release.complete(null);
    assertEquals("done", f.get(5, TimeUnit.SECONDS));
  }
}
