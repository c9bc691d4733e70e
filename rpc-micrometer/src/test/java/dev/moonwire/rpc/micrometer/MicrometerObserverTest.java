package dev.moonwire.rpc.micrometer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters of real calls between two processes, read from a SimpleMeterRegistry. */
class MicrometerObserverTest extends ProcessTestSupport {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double count(String name, String process, String... tags) {
    return registry.get(name).tag("process", process).tags(tags).counter().count();
  }

  @Test
  void callsOfEachOutcome_areCountedAndTimed_onBothSides_withTheirBytes() {
    RpcProcess server = open(RpcConfig.defaults().withObserver(new MicrometerObserver(registry)));
    RpcProcess client = open(RpcConfig.defaults().withObserver(new MicrometerObserver(registry)));
    String s = server.id().toString();
    String c = client.id().toString();
    server.export("echo", a -> a.stringAt(0));
    server.export("wait", a -> Rpc.await(new CompletableFuture<>()));

    for (int i = 0; i < 3; i++) {
      client.sync(server.id(), "echo").call("x".repeat(500));
    }
    assertThrows(NoSuchFunctionException.class, () -> client.sync(server.id(), "nope").call());
    assertThrows(DeadlineExceededException.class,
        () -> client.sync(server.id(), "wait").withDeadline(Duration.ofMillis(100)).call());

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.find(
        "moonwire.server.call.duration").tag("function", "wait").timer() != null);
    assertEquals(3, count("moonwire.client.call.started", c, "function", "echo"));
    assertEquals(3, count("moonwire.server.call.started", s, "function", "echo"));
    assertEquals(3, registry.get("moonwire.client.call.duration").tag("process", c)
        .tags("function", "echo", "outcome", "OK").timer().count());
    assertEquals(1, registry.get("moonwire.client.call.duration").tag("process", c)
        .tags("function", "nope", "outcome", "NO_SUCH_FUNCTION").timer().count());
    assertEquals(1, registry.get("moonwire.client.call.duration").tag("process", c)
        .tags("function", "wait", "outcome", "DEADLINE_EXCEEDED").timer().count());
    assertEquals(1, registry.get("moonwire.server.call.duration").tag("process", s)
        .tags("function", "wait", "outcome", "CANCELLED").timer().count());
    var sent = registry.get("moonwire.client.call.sent_total_message_size").tag("process", c)
        .tag("function", "echo").summary();
    var rcvd = registry.get("moonwire.server.call.rcvd_total_message_size").tag("process", s)
        .tag("function", "echo").summary();
    assertEquals(3, sent.count());
    assertTrue(sent.totalAmount() > 1500, "3 requests of > 500 bytes: " + sent.totalAmount());
    assertEquals(sent.totalAmount(), rcvd.totalAmount(), "what one sent, the other received");
    assertTrue(registry.get("moonwire.client.call.duration").tag("process", c)
        .tags("function", "echo", "outcome", "OK").timer().totalTime(TimeUnit.NANOSECONDS) > 0);
  }

  @Test
  void gauges_showCallsInFlight_connections_andQueuedEvents() {
    RpcProcess server = open(RpcConfig.defaults().withObserver(new MicrometerObserver(registry)));
    RpcProcess client = open(RpcConfig.defaults().withObserver(new MicrometerObserver(registry)));
    String s = server.id().toString();
    String c = client.id().toString();
    CompletableFuture<String> release = new CompletableFuture<>();
    server.export("hold", a -> Rpc.await(release));
    CompletableFuture<Object> done = new CompletableFuture<>();
    client.async(server.id(), "hold", done::complete).call();

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.get(
        "moonwire.server.calls.in_flight").tag("process", s).gauge().value() == 1);
    assertEquals(1, registry.get("moonwire.client.calls.in_flight").tag("process", c).gauge()
        .value());
    assertEquals(1, registry.get("moonwire.connections").tag("process", c).gauge().value());
    assertEquals(1, registry.get("moonwire.connections").tag("process", s).gauge().value());
    assertEquals(0, registry.get("moonwire.events.queued").tag("process", s).gauge().value());

    release.complete("done");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.get(
        "moonwire.server.calls.in_flight").tag("process", s).gauge().value() == 0
        && registry.get("moonwire.client.calls.in_flight").tag("process", c).gauge()
        .value() == 0);
  }

  @Test
  void functionNamesPeersMakeUp_areBounded() {
    RpcProcess server = open(RpcConfig.defaults().withObserver(new MicrometerObserver(registry)));
    RpcProcess client = open();
    String s = server.id().toString();
    for (int i = 0; i < MicrometerObserver.MAX_FUNCTIONS + 50; i++) {
      int k = i;
      assertThrows(NoSuchFunctionException.class,
          () -> client.sync(server.id(), "made-up-" + k).call());
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.find(
        "moonwire.server.call.started").tag("function", "other").counter() != null
        && registry.find("moonwire.server.call.started").tag("function", "other").counter()
        .count() == 50);
    assertEquals(MicrometerObserver.MAX_FUNCTIONS + 1,
        registry.find("moonwire.server.call.started").tag("process", s).counters().size());
  }

  @Test
  void aLongFunctionName_isTaggedOther() {
    RpcProcess server = open(RpcConfig.defaults().withObserver(new MicrometerObserver(registry)));
    RpcProcess client = open();
    String long200 = "f".repeat(200);

    assertThrows(NoSuchFunctionException.class, () -> client.sync(server.id(), long200).call());

    await().atMost(Duration.ofSeconds(5)).until(() -> registry.find(
        "moonwire.server.call.duration").tag("function", "other").timer() != null);
    assertEquals(null, registry.find("moonwire.server.call.started").tag("function", long200)
        .counter());
  }

  @Test
  void oneObserverForTwoProcesses_isRefusedForTheSecond() {
    MicrometerObserver shared = new MicrometerObserver(registry);
    RpcProcess first = open(RpcConfig.defaults().withObserver(shared));
    RpcProcess second = open(RpcConfig.defaults().withObserver(shared)); // logged, not fatal

    assertEquals(1, registry.find("moonwire.connections").gauges().size());
    assertEquals(first.id().toString(),
        registry.get("moonwire.connections").gauge().getId().getTag("process"));
    assertTrue(!second.isClosed());
  }
}
