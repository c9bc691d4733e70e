package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CallHeaders;
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

    /** Headers each request came with, and whether each ended on the thread it started on. */
    final List<String> headers = new CopyOnWriteArrayList<>();
    final List<Boolean> endedOnItsThread = new CopyOnWriteArrayList<>();

    @Override
    public Call clientCall(ProcessId peer, String function, CallHeaders out) {
      events.add("client start " + function);
      out.put("x-call", function);
      return (outcome, nanos, bytesOut, bytesIn) -> {
        events.add("client end " + function + " " + outcome);
        sizes.add(new long[] {nanos, bytesOut, bytesIn});
      };
    }

    @Override
    public Call serverCall(ProcessId peer, String function, CallHeaders in) {
      events.add("server start " + function);
      headers.add(String.valueOf(in.get("x-call")));
      Thread started = Thread.currentThread();
      return (outcome, nanos, bytesOut, bytesIn) -> {
        events.add("server end " + function + " " + outcome);
        sizes.add(new long[] {nanos, bytesIn, bytesOut});
        endedOnItsThread.add(Thread.currentThread() == started);
      };
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
  void headersTheClientPuts_reachTheServer_andTheServerEndsEachRequestOnItsThread() {
    Recorder client = new Recorder();
    Recorder server = new Recorder();
    RpcProcess s = open(RpcConfig.defaults().withObserver(server));
    RpcProcess c = open(RpcConfig.defaults().withObserver(client));
    RpcProcess plain = open(); // no observer: it sends no headers
    s.export("echo", a -> a.stringAt(0));
    s.export("nap", a -> {
      Rpc.sleep(Duration.ofMillis(20)); // a suspension point between start and end
      return "rested";
    });

    assertEquals("hi", c.sync(s.id(), "echo").call("hi"));
    assertEquals("rested", c.sync(s.id(), "nap").call());
    assertEquals("hi", plain.sync(s.id(), "echo").call("hi"));

    await().atMost(Duration.ofSeconds(5)).until(() -> server.count("server end") == 3);
    assertEquals(List.of("echo", "nap", "null"), server.headers);
    assertEquals(List.of(true, true, true), server.endedOnItsThread);
  }

  @Test
  void aCallRefusedBeforeItIsSent_startsAndEndsWithItsKind() {
    Recorder client = new Recorder();
    RpcProcess s = open();
    RpcProcess c = open(RpcConfig.defaults().withObserver(client));
    record Unregistered(int x) {}

    assertThrows(dev.moonwire.rpc.SerializationException.class,
        () -> c.sync(s.id(), "echo").call(new Unregistered(1)));

    assertEquals(List.of("client start echo", "client end echo SERIALIZATION"), client.events);
    assertEquals(0, client.sizes.get(0)[1], "nothing was sent");
  }

  @Test
  void anObserverThatThrows_isIgnored_andCallsGoOn() {
    RpcObserver broken = new RpcObserver() {
      @Override
      public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
        return (outcome, nanos, bytesOut, bytesIn) -> {
          throw new IllegalStateException("observer bug");
        };
      }

      @Override
      public Call serverCall(ProcessId peer, String function, CallHeaders headers) {
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
