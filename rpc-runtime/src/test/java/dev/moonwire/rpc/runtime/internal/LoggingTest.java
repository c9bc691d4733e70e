package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a user configuring SLF4J sees: logger names of Moonwire's own (no internal class names),
 * connections opened and lost with the peer, and the sender of a one-way send that failed.
 * (slf4j-simple, set up by the test resources, writes to System.err.)
 */
class LoggingTest {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream err;

  @BeforeEach
  void capture() {
    err = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(err);
    System.err.print(logged());
  }

  private String logged() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void connectionsOpenedAndLost_areLoggedAtDebug_withThePeer_underAName() {
    RpcProcess server = Rpc.open(RpcConfig.defaults());
    RpcProcess client = Rpc.open(RpcConfig.defaults());
    try {
      server.export("hi", a -> "hi");
      var answered = new java.util.concurrent.CountDownLatch(1);
      client.async(server.id(), "hi", v -> answered.countDown()).call();
      await().atMost(Duration.ofSeconds(10)).until(() -> answered.getCount() == 0);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          logged().contains("dev.moonwire.rpc.Connections - " + server.id() + ": connection from "
              + client.id() + " opened"));
      assertTrue(logged().contains("dev.moonwire.rpc.Connections - " + client.id()
          + ": connection to " + server.id() + " opened"), logged());
    } finally {
      client.close();
      server.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        logged().contains(server.id() + ": connection from " + client.id() + " lost"));
    assertTrue(!logged().contains("runtime.internal."), "a class name as a logger name");
  }

  @Test
  void aPeerReachedAfterFailedAttempts_isLoggedAsDialledAgain() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort(); // nobody listens there once this closes
    }
    RpcProcess client = Rpc.open(RpcConfig.defaults());
    RpcProcess server = null;
    try {
      ProcessId target = ProcessId.of("127.0.0.1", port);
      var failed = new java.util.concurrent.CompletableFuture<Object>();
      client.async(target, "hi", failed::complete, failed::complete).call();
      assertTrue(failed.get(10, java.util.concurrent.TimeUnit.SECONDS)
          instanceof dev.moonwire.rpc.PeerUnavailableException, "nobody listens yet");

      server = Rpc.open(RpcConfig.defaults().withPort(port));
      server.export("hi", a -> "hi");
      await().atMost(Duration.ofSeconds(10)).until(() -> { // a call each try, past the back-off
        var reply = new java.util.concurrent.CompletableFuture<Object>();
        client.async(target, "hi", reply::complete, reply::complete).call();
        return "hi".equals(reply.get(5, java.util.concurrent.TimeUnit.SECONDS));
      });

      assertTrue(logged().contains("dev.moonwire.rpc.Connections - " + client.id() + ": dialling "
          + target + " again, after failed attempts"), logged());
      assertTrue(logged().contains(client.id() + ": connection to " + target + " opened"));
    } finally {
      client.close();
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void aOneWaySendThatFails_isLoggedAtTheReceiver_withItsSender() {
    RpcProcess server = Rpc.open(RpcConfig.defaults());
    RpcProcess client = Rpc.open(RpcConfig.defaults());
    try {
      server.export("boom", a -> {
        throw new IllegalStateException("kaboom");
      });
      client.send(server.id(), "boom");
      await().atMost(Duration.ofSeconds(10)).until(() -> logged().contains("kaboom"));
      assertTrue(logged().contains("dev.moonwire.rpc.Process - " + server.id()
          + ": uncaught error in one-way send 'boom' from " + client.id()), logged());
    } finally {
      client.close();
      server.close();
    }
  }
}
