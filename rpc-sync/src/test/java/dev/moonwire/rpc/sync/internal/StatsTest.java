package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessStats;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** RpcProcess.stats(): what a person looking at a live process wants to see. */
class StatsTest extends ProcessTestSupport {
  @Test
  void stats_showConnectionsWithTheirPeers_pendingCalls_andQueuedEvents() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    CompletableFuture<String> answer = new CompletableFuture<>();
    server.export("hold", a -> Rpc.await(answer));
    server.export("note", a -> null);
    CompletableFuture<Object> held = new CompletableFuture<>();
    client.async(server.id(), "hold", held::complete).call();

    await().atMost(Duration.ofSeconds(5)).until(() -> client.stats().pendingCalls() == 1);
    ProcessStats c = client.stats();
    assertEquals(client.id(), c.id());
    assertEquals(1, c.connections().size());
    assertEquals(server.id(), c.connections().get(0).peer());
    assertEquals(1, c.connections().get(0).pendingCalls());
    assertTrue(c.toString().contains(server.id() + ": 1 pending"), c.toString());

    CountDownLatch busy = new CountDownLatch(1);
    server.execute(() -> { // the server's event runs and does not let go ...
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 3; i++) {
      client.send(server.id(), "note", i); // ... so these wait their turn
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().queuedEvents() >= 3);
    ProcessStats s = server.stats();
    assertEquals(client.id(), s.connections().get(0).peer());

    busy.countDown();
    answer.complete("done");
    assertEquals("done", held.get());
    await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().queuedEvents() == 0
        && client.stats().pendingCalls() == 0);
  }
}
