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
  @Test
  void callPendingOnAProcess_whenANewRunOpensAtItsAddress_failsPeerUnavailableNamingTheRestart()
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // Closed while its handler hangs: its port is free at once, its connection to the caller
    // stays open for the whole grace, and nothing on it will ever answer the call.
    RpcProcess before = Rpc.open(RpcConfig.defaults().withCloseGrace(Duration.ofSeconds(60))
        .onUncaughtError(uncaught::add));
    before.export("hang", a -> {
      started.countDown();
      release.await();
      return "from the run before";
    });
    RpcProcess caller = open();
    CompletableFuture<Object> pending = new CompletableFuture<>();
    caller.async(before.id(), "hang", pending::complete, pending::completeExceptionally).call();
    assertTrue(started.await(10, TimeUnit.SECONDS), "the call reached its handler");
    Thread closer = new Thread(before::close, "closing the run before");
    closer.start();
    try {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> closer.getState() == Thread.State.TIMED_WAITING);

      RpcProcess after = open(RpcConfig.defaults().withPort(before.id().port()));
      assertEquals(before.id(), after.id());
      after.export("hello", a -> "from the new run");
      CompletableFuture<Object> answered = new CompletableFuture<>();
      caller.async(after.id(), "hello", answered::complete, answered::completeExceptionally)
          .call();

      assertEquals("from the new run", get(answered));
      Throwable failed = await().atMost(Duration.ofSeconds(5))
          .until(() -> pending.handle((v, e) -> e).getNow(null), e -> e != null);
      var e = assertInstanceOf(PeerUnavailableException.class, failed);
      assertTrue(e.getMessage().contains(before.id() + " restarted"), e.getMessage());
      await().atMost(Duration.ofSeconds(5)).until(() -> caller.pendingCalls() == 0);
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

    ChannelConnection dialled = ((RuntimeProcess) client).connectionsNow().get(0);
    assertEquals(((RuntimeProcess) server).incarnation(), dialled.peerIncarnation());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> ((RuntimeProcess) server).connectionsNow().size() == 1);
    assertEquals(((RuntimeProcess) client).incarnation(),
        ((RuntimeProcess) server).connectionsNow().get(0).peerIncarnation());
    assertNotEquals(((RuntimeProcess) server).incarnation(),
        ((RuntimeProcess) client).incarnation());
  }
}
