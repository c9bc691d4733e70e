package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process restarted at the same host and port is a new process: the handshake says which run
 * of it a connection reaches, and calls pending on the run before end.
 */
class RestartTest extends ProcessTestSupport {
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  /**
   * A process with a handler that hangs until {@link #release}d; {@code lastCall}, if any, runs
   * in that handler first. Closed by the test: its port is free at once, and its connections stay
   * open for its whole grace while nothing on them answers.
   */
  private RpcProcess hanging(Runnable lastCall) {
    RpcProcess p = Rpc.open(RpcConfig.defaults().withCloseGrace(Duration.ofSeconds(60))
        .onUncaughtError(uncaught::add));
    p.export("hang", a -> {
      started.countDown();
      lastCall.run();
      release.await();
      return "from the run before";
    });
    return p;
  }

  private static CompletableFuture<Object> call(RpcProcess from, RpcProcess to, String function) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    from.async(to.id(), function, f::complete, f::completeExceptionally).call();
    return f;
  }

  /** Closes {@code p} on a thread of its own, and waits until it waits in its grace. */
  private static Thread closing(RpcProcess p) {
    Thread closer = new Thread(p::close, "closing " + p.id());
    closer.start();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> closer.getState() == Thread.State.TIMED_WAITING);
    return closer;
  }

  private static Throwable failure(CompletableFuture<Object> f) {
    return await().atMost(Duration.ofSeconds(5))
        .until(() -> f.handle((v, e) -> e).getNow(null), e -> e != null);
  }

  @Test
  void callPendingOnAProcess_whenANewRunAtItsAddressIsDialled_failsPeerUnavailableNamingTheRestart()
      throws Exception {
    RpcProcess before = hanging(() -> { });
    RpcProcess caller = open();
    CompletableFuture<Object> pending = call(caller, before, "hang");
    assertTrue(started.await(10, TimeUnit.SECONDS), "the call reached its handler");
    Thread closer = closing(before);
    try {
      RpcProcess after = open(RpcConfig.defaults().withPort(before.id().port()));
      assertEquals(before.id(), after.id());
      after.export("hello", a -> "from the new run");

      assertEquals("from the new run", get(call(caller, after, "hello")));
      var e = assertInstanceOf(PeerUnavailableException.class, failure(pending));
      assertTrue(e.getMessage().contains(before.id() + " restarted"), e.getMessage());
      await().atMost(Duration.ofSeconds(5)).until(() -> caller.pendingCalls() == 0);
    } finally {
      release.countDown();
      closer.join(10_000);
    }
  }

  @Test
  void callPendingOnAProcess_whenANewRunAtItsAddressDialsTheCaller_failsPeerUnavailable()
      throws Exception {
    RpcProcess before = hanging(() -> { });
    RpcProcess caller = open();
    caller.export("hello", a -> "from the caller");
    CompletableFuture<Object> pending = call(caller, before, "hang");
    assertTrue(started.await(10, TimeUnit.SECONDS), "the call reached its handler");
    Thread closer = closing(before);
    try {
      RpcProcess after = open(RpcConfig.defaults().withPort(before.id().port()));

      assertEquals("from the caller", get(call(after, caller, "hello")));
      var e = assertInstanceOf(PeerUnavailableException.class, failure(pending));
      assertTrue(e.getMessage().contains(before.id() + " restarted"), e.getMessage());
    } finally {
      release.countDown();
      closer.join(10_000);
    }
  }

  @Test
  void theRunBefore_callingOutInItsGrace_isServed_andIsNotTakenForARestart() throws Exception {
    CountDownLatch callOut = new CountDownLatch(1);
    CountDownLatch echoed = new CountDownLatch(1);
    RpcProcess caller = open();
    caller.export("echo", a -> {
      echoed.countDown();
      return a.stringAt(0);
    });
    RpcProcess[] self = new RpcProcess[1];
    CompletableFuture<Object> lastCall = new CompletableFuture<>();
    RpcProcess before = hanging(() -> {
      try {
        callOut.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      self[0].async(caller.id(), "echo", lastCall::complete, lastCall::completeExceptionally)
          .call("from the run before");
    });
    self[0] = before;
    CompletableFuture<Object> first = call(caller, before, "hang");
    assertTrue(started.await(10, TimeUnit.SECONDS), "the call reached its handler");
    Thread closer = closing(before);
    try {
      RpcProcess after = open(RpcConfig.defaults().withPort(before.id().port()));
      CountDownLatch afterStarted = new CountDownLatch(1);
      CountDownLatch afterRelease = new CountDownLatch(1);
      after.export("wait", a -> {
        afterStarted.countDown();
        afterRelease.await();
        return "from the new run";
      });
      CompletableFuture<Object> onTheNewRun = call(caller, after, "wait");
      assertTrue(afterStarted.await(10, TimeUnit.SECONDS));
      assertInstanceOf(PeerUnavailableException.class, failure(first));

      callOut.countDown(); // the run before dials the caller: a connection to a replaced run
      assertTrue(echoed.await(10, TimeUnit.SECONDS), "the run before was served");

      // flapping back would have failed the call on the new run before the echo was read
      assertEquals(1, caller.pendingCalls(), "the call on the new run is still pending");
      afterRelease.countDown();
      assertEquals("from the new run", get(onTheNewRun));
    } finally {
      release.countDown();
      closer.join(10_000);
    }
  }

  @Test
  void eachRunOfAProcess_isToldInItsHandshake_andDiffers() throws Exception {
    RpcProcess server = open();
    server.export("ping", a -> "pong");
    RpcProcess client = open();
    CompletableFuture<Object> answered = new CompletableFuture<>();
    client.async(server.id(), "ping", answered::complete, answered::completeExceptionally).call();
    get(answered);

    ChannelConnection dialled = ((RuntimeProcess) client).diagnostics().connectionsNow().get(0);
    assertEquals(((RuntimeProcess) server).incarnation(), dialled.peerIncarnation());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> ((RuntimeProcess) server).diagnostics().connectionsNow().size() == 1);
    assertEquals(((RuntimeProcess) client).incarnation(),
        ((RuntimeProcess) server).diagnostics().connectionsNow().get(0).peerIncarnation());
    assertNotEquals(((RuntimeProcess) server).incarnation(),
        ((RuntimeProcess) client).incarnation());
  }
}
