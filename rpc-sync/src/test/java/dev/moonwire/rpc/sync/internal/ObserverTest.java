package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** RpcConfig.withObserver: every call seen starting and ending once, on both sides. */
class ObserverTest extends ProcessTestSupport {
  /** What an observer saw, one line per event. */
  static final class Recorder implements RpcObserver {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<long[]> sizes = new CopyOnWriteArrayList<>();
    volatile RpcProcess opened;

    @Override
    public void opened(RpcProcess process) {
      opened = process;
    }

    @Override
    public void clientCallStarted(ProcessId peer, String function) {
      events.add("client start " + function);
    }

    @Override
    public void clientCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
        long nanos, long sent, long received) {
      events.add("client end " + function + " " + outcome);
      sizes.add(new long[] {nanos, sent, received});
    }

    @Override
    public void serverCallStarted(ProcessId peer, String function) {
      events.add("server start " + function);
    }

    @Override
    public void serverCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
        long nanos, long received, long sent) {
      events.add("server end " + function + " " + outcome);
      sizes.add(new long[] {nanos, received, sent});
    }

    @Override
    public void connectionOpened(ProcessId peer) {
      events.add("opened " + peer.port());
    }

    @Override
    public void connectionClosed(ProcessId peer) {
      events.add("closed " + peer.port());
    }

    long count(String prefix) {
      return events.stream().filter(e -> e.startsWith(prefix)).count();
    }
  }

  @Test
  void everyCall_startsAndEndsOnce_withItsOutcomeAndSizes_onBothSides() {
    Recorder client = new Recorder();
    Recorder server = new Recorder();
    RpcProcess s = open(RpcConfig.defaults().withObserver(server));
    RpcProcess c = open(RpcConfig.defaults().withObserver(client));
    assertEquals(c, client.opened);
    s.export("echo", a -> a.stringAt(0));
    s.export("wait", a -> Rpc.await(new CompletableFuture<>()));

    assertEquals("x".repeat(1000), c.sync(s.id(), "echo").call("x".repeat(1000)));
    assertThrows(NoSuchFunctionException.class, () -> c.sync(s.id(), "nope").call());
    assertThrows(DeadlineExceededException.class,
        () -> c.sync(s.id(), "wait").withDeadline(Duration.ofMillis(200)).call());

    await().atMost(Duration.ofSeconds(5)).until(() -> server.count("server end") == 3);
    assertEquals(List.of("client start echo", "client end echo null", "client start nope",
        "client end nope NO_SUCH_FUNCTION", "client start wait",
        "client end wait DEADLINE_EXCEEDED"),
        client.events.stream().filter(e -> e.startsWith("client")).toList());
    assertEquals(List.of("server start echo", "server end echo null", "server start nope",
        "server end nope NO_SUCH_FUNCTION", "server start wait", "server end wait CANCELLED"),
        server.events.stream().filter(e -> e.startsWith("server")).toList());
    long[] echoAtClient = client.sizes.get(0);
    long[] echoAtServer = server.sizes.get(0);
    assertTrue(echoAtClient[1] > 1000 && echoAtClient[2] > 1000, "sizes: frames of > 1000 B");
    assertEquals(echoAtClient[1], echoAtServer[1], "the request's bytes, as sent and received");
    assertEquals(echoAtServer[2], echoAtClient[2], "the reply's bytes, as sent and received");
    assertTrue(echoAtClient[0] >= echoAtServer[0], "the client's time holds the server's");
    assertEquals(1, client.count("opened " + s.id().port()));

    s.close();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> client.count("closed " + s.id().port()) == 1);
  }

  @Test
  void anObserverThatThrows_isIgnored_andCallsGoOn() {
    RpcObserver broken = new RpcObserver() {
      @Override
      public void clientCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
          long nanos, long sent, long received) {
        throw new IllegalStateException("observer bug");
      }

      @Override
      public void serverCallStarted(ProcessId peer, String function) {
        throw new IllegalStateException("observer bug");
      }
    };
    RpcProcess s = open(RpcConfig.defaults().withObserver(broken));
    RpcProcess c = open(RpcConfig.defaults().withObserver(broken));
    s.export("echo", a -> a.stringAt(0));

    for (int i = 0; i < 3; i++) {
      assertEquals("hi", c.sync(s.id(), "echo").call("hi"));
    }
  }
}
