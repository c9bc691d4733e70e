package dev.moonwire.rpc.sync.extension;

import dev.moonwire.rpc.testing.MoonwireExtension;
import dev.moonwire.rpc.testing.UncaughtErrors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension as users meet it: each case below is a user's test class, run here with
 * JUnit's own test kit to see whether it passes or fails, and why.
 */
class MoonwireExtensionTest {
  static final List<RpcProcess> SEEN = new CopyOnWriteArrayList<>();

  private static Events run(Class<?> userTests, String... config) {
    var kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(userTests));
    for (int i = 0; i + 1 < config.length; i += 2) {
      kit = kit.configurationParameter(config[i], config[i + 1]);
    }
    return kit.execute().testEvents();
  }

  /** All {@code n} of the user's tests passed; if not, the assertion says why they failed. */
  private static void passed(Events events, int n) {
    List<String> why = events.failed().list().stream()
        .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
            .map(Throwable::toString).orElse("?"))
        .toList();
    assertEquals(List.of(), why);
    assertEquals(n, events.succeeded().count());
  }

  private static Throwable onlyFailure(Events events) {
    List<Event> failed = events.failed().list();
    assertEquals(1, failed.size(), events.list().toString());
    return failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .orElseThrow().getThrowable().orElseThrow();
  }

  // --- user test classes -------------------------------------------------------------------

  @ExtendWith(MoonwireExtension.class)
  static class FreshProcesses {
    @Test
    void one(RpcProcess a, RpcProcess b) {
      SEEN.add(a);
      SEEN.add(b);
      b.export("ping", args -> "pong");
      assertEquals("pong", a.sync(b.id(), "ping").call());
    }
  }

  static class LeavesACallPending {
    @RegisterExtension
    static MoonwireExtension rpc = new MoonwireExtension()
        .withPendingCallTimeout(Duration.ofMillis(300));

    @Test
    void forgetsItsCall(RpcProcess server, RpcProcess client) {
      server.export("never", args -> Rpc.await(new CompletableFuture<>()));
      client.async(server.id(), "never", v -> { }).call(); // and the test ends
    }
  }

  @ExtendWith(MoonwireExtension.class)
  static class LeavesAnUncaughtError {
    @Test
    void sendsToNobody(RpcProcess p, UncaughtErrors errors) {
      p.send(ProcessId.of("127.0.0.1", 1), "hello"); // nothing listens there
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !errors.pending().isEmpty()); // reported, and not taken
    }
  }

  @ExtendWith(MoonwireExtension.class)
  static class TakesItsUncaughtError {
    @Test
    void sendsToNobody_andExpectsIt(RpcProcess p, UncaughtErrors errors) {
      p.send(ProcessId.of("127.0.0.1", 1), "hello");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !errors.pending().isEmpty());
      assertInstanceOf(PeerUnavailableException.class, errors.take().get(0));
    }
  }

  @ExtendWith(MoonwireExtension.class)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class ClassProcessAndNested {
    RpcProcess shared;

    @BeforeAll
    void openShared(RpcProcess p) {
      shared = p;
      shared.export("count", args -> SEEN.size());
      SEEN.add(p);
    }

    @Test
    void outer(RpcProcess client) {
      SEEN.add(client);
      client.sync(shared.id(), "count").call();
    }

    @Nested
    class Inner {
      @Test
      void inner(RpcProcess client) {
        SEEN.add(client);
        client.sync(shared.id(), "count").call();
        assertTrue(!shared.isClosed(), "the class's process lives through its nested tests");
      }
    }
  }

  @ExtendWith(MoonwireExtension.class)
  @Execution(ExecutionMode.CONCURRENT)
  static class InParallel {
    // the processes themselves, not their ports: a port freed by a repetition that ended may be
    // given again to a later one's process
    static final Set<RpcProcess> PORTS =
        java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

    @org.junit.jupiter.api.RepeatedTest(8)
    void each(RpcProcess server, RpcProcess client) {
      PORTS.add(server);
      PORTS.add(client);
      server.export("id", args -> server.id());
      assertEquals(server.id(), client.sync(server.id(), "id").call());
    }
  }

  static class Configured {
    @RegisterExtension
    static MoonwireExtension rpc = MoonwireExtension.configured(c -> c.withMaxInFlight(1));

    @Test
    void theConfigurationIsTheirs(RpcProcess server, RpcProcess client) {
      server.export("hold", args -> Rpc.await(new CompletableFuture<>()));
      CompletableFuture<Throwable> first = new CompletableFuture<>();
      CompletableFuture<Throwable> second = new CompletableFuture<>();
      client.async(server.id(), "hold", v -> { }, first::complete)
          .withDeadline(Duration.ofMillis(500)).call();
      client.async(server.id(), "hold", v -> { }, second::complete).call();
      assertInstanceOf(OverloadedException.class, second.join()); // max 1 in flight
      assertInstanceOf(dev.moonwire.rpc.DeadlineExceededException.class, first.join());
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> client.pendingCalls() == 0);
    }
  }

  static class OpensWithConfigs {
    @RegisterExtension
    final MoonwireExtension rpc = new MoonwireExtension();
    RpcProcess small;

    @BeforeEach
    void openSmall() {
      small = rpc.open(dev.moonwire.rpc.RpcConfig.defaults().withMaxFrameBytes(64 * 1024));
      SEEN.add(small);
    }

    @Test
    void callsTheSmallOne() {
      RpcProcess client = rpc.open();
      SEEN.add(client);
      client.export("echo", args -> args.stringAt(0));
      assertEquals("hi", small.sync(client.id(), "echo").call("hi"));
      // its own config: an argument over its 64 KiB frames is refused before it is sent
      org.junit.jupiter.api.Assertions.assertThrows(dev.moonwire.rpc.SerializationException.class,
          () -> small.sync(client.id(), "echo").call("x".repeat(100_000)));
    }

    @Test
    void leavesAnUncaughtErrorAndTakesIt() {
      small.send(ProcessId.of("127.0.0.1", 1), "hello");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !rpc.uncaughtErrors().pending().isEmpty());
      assertInstanceOf(PeerUnavailableException.class, rpc.uncaughtErrors().take().get(0));
    }
  }

  // --- what the extension does with them ---------------------------------------------------

  @Test
  void processesAreFresh_onFreePorts_andClosedAfterTheTest() {
    SEEN.clear();
    passed(run(FreshProcesses.class), 1);
    assertEquals(2, SEEN.size());
    assertNotEquals(SEEN.get(0).id(), SEEN.get(1).id());
    assertTrue(SEEN.stream().allMatch(RpcProcess::isClosed));
  }

  @Test
  void processesOpenedWithAConfig_inATest_areCheckedAndClosedAfterIt() {
    SEEN.clear();
    passed(run(OpensWithConfigs.class), 2);
    assertEquals(3, SEEN.size());
    assertTrue(SEEN.stream().allMatch(RpcProcess::isClosed));
  }

  @Test
  void open_outsideATest_saysWhy() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> new MoonwireExtension().open());
    assertTrue(e.getMessage().contains("no test is running"), e.getMessage());
  }

  @Test
  void aCallLeftPending_failsTheTest_namingIt() {
    Throwable why = onlyFailure(run(LeavesACallPending.class));
    assertTrue(why.getMessage().contains("still pending"), why.getMessage());
  }

  @Test
  void anUncaughtErrorNotTaken_failsTheTest_withTheErrorAsCause() {
    Throwable why = onlyFailure(run(LeavesAnUncaughtError.class));
    assertTrue(why.getMessage().contains("uncaught error"), why.getMessage());
    assertInstanceOf(PeerUnavailableException.class, why.getCause());
  }

  @Test
  void anUncaughtErrorTaken_passes() {
    passed(run(TakesItsUncaughtError.class), 1);
  }

  @Test
  void aBeforeAllProcess_servesTheClassAndItsNestedTests_thenIsClosed() {
    SEEN.clear();
    passed(run(ClassProcessAndNested.class), 2);
    assertEquals(3, SEEN.size());
    assertTrue(SEEN.stream().allMatch(RpcProcess::isClosed));
  }

  @Test
  void testsInParallel_eachHaveTheirOwnProcesses() {
    InParallel.PORTS.clear();
    passed(run(InParallel.class, "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"), 8);
    assertEquals(16, InParallel.PORTS.size());
  }

  @Test
  void aConfiguredExtension_opensProcessesWithTheUsersConfiguration() {
    passed(run(Configured.class), 1);
  }
}
