package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DESIGN §5 against real operating-system processes: killed, frozen, restarted, closed. */
class PeerFailureTest extends ProcessTestSupport {
  private final List<ChildPeer> children = new ArrayList<>();

  private ChildPeer child(int port) throws Exception {
    ChildPeer c = ChildPeer.start(port);
    children.add(c);
    return c;
  }

  @AfterEach
  void stopChildren() throws Exception {
    for (ChildPeer c : children) {
      c.close();
    }
  }

  @Test
  void peerKilled_everyPendingCallEndsWithPeerUnavailable_asyncAndSuspendedSync()
      throws Exception {
    ChildPeer peer = child(0);
    RpcProcess client = open();
    RpcProcess middle = open(); // its handlers suspend in sync calls to the peer
    middle.export("relay", a -> {
      try {
        return Rpc.sync(peer.id, "hang").call();
      } catch (RpcException e) {
        return e.getClass().getSimpleName();
      }
    });
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    var hang = client.async(peer.id, "hang",
        v -> outcomes.computeIfAbsent("value", k -> new AtomicInteger()).incrementAndGet(),
        e -> outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
            .incrementAndGet());
    List<String> relayed = new CopyOnWriteArrayList<>();
    var relay = client.<String>async(middle.id(), "relay", relayed::add);

    for (int i = 0; i < 10_000; i++) {
      hang.call();
    }
    for (int i = 0; i < 100; i++) {
      relay.call();
    }
    // Asked by a process of its own: the client's 10,000 calls hold more than its fair share of
    // the peer's budget while the middle's work is there too, so a call of the client's more
    // would be refused OVERLOADED (FairShareTest) — one holding nothing is admitted.
    RpcProcess asker = open();
    await().atMost(Duration.ofSeconds(60))
        .until(() -> (int) asker.sync(peer.id, "hanging").call() == 10_100);
    peer.kill();

    await().atMost(Duration.ofSeconds(5)).until(() ->
        outcomes.values().stream().mapToInt(AtomicInteger::get).sum() == 10_000
            && relayed.size() == 100);
    assertEquals(Set.of("PeerUnavailableException"), outcomes.keySet());
    assertEquals(Set.of("PeerUnavailableException"), Set.copyOf(relayed));
    assertEquals(0, client.pendingCalls());
    assertEquals(0, middle.pendingCalls());
  }

  @Test
  void peerFrozenWithSigstop_heartbeatFailsItsCalls_andSigcontDoesNotResurrectThem()
      throws Exception {
    ChildPeer peer = child(0);
    RpcProcess client = open(RpcConfig.defaults().withHeartbeat(Duration.ofMillis(200)));
    AtomicInteger values = new AtomicInteger();
    List<RpcException> errors = new CopyOnWriteArrayList<>();
    var hang = client.async(peer.id, "hang", v -> values.incrementAndGet(), errors::add);
    for (int i = 0; i < 50; i++) {
      hang.call();
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> (int) client.sync(peer.id, "hanging").call() == 50);

    peer.signal("STOP");
    try {
      // 2 heartbeat intervals, plus scheduling slack
      await().atMost(Duration.ofSeconds(3)).until(() -> errors.size() == 50);
    } finally {
      peer.signal("CONT");
    }

    assertTrue(errors.stream().allMatch(e -> e instanceof PeerUnavailableException));
    assertTrue(errors.get(0).getMessage().contains("heartbeat"), errors.get(0).getMessage());
    // the peer is alive again and reachable on a new connection; the old calls stay ended
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
        .until(() -> "back".equals(client.sync(peer.id, "echo").call("back")));
    assertEquals(0, values.get());
    assertEquals(50, errors.size());
    assertEquals(0, client.pendingCalls());
  }

  /** The tags the peer reports to {@code function} on {@code client}. */
  private static Set<String> reports(RpcProcess client, String function) {
    Set<String> tags = ConcurrentHashMap.newKeySet();
    client.export(function, a -> tags.add(a.stringAt(0)));
    return tags;
  }

  @Test
  void deadlineOnSleepingServer_failsTheCall_andInterruptsTheHandler() throws Exception {
    ChildPeer peer = child(0);
    RpcProcess client = open();
    Set<String> started = reports(client, "started");
    Set<String> interrupted = reports(client, "interrupted");

    assertThrows(DeadlineExceededException.class, () -> client.sync(peer.id, "sleepy")
        .withDeadline(Duration.ofMillis(300)).call(60_000L, client.id().toString(), "t1"));

    await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.contains("t1"));
    assertTrue(started.contains("t1"));
  }

  @Test
  void cancellationAfterBegin_interruptsTheRemoteHandler() throws Exception {
    ChildPeer peer = child(0);
    RpcProcess client = open();
    Set<String> started = reports(client, "started");
    Set<String> interrupted = reports(client, "interrupted");
    RpcFuture<Object> f = client.future(peer.id, "sleepy")
        .call(60_000L, client.id().toString(), "c1");
    await().atMost(Duration.ofSeconds(10)).until(() -> started.contains("c1"));

    assertTrue(f.cancel(true));

    await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.contains("c1"));
    assertTrue(f.isCancelled());
  }

  @Test
  void deadline_travelsWithTheRequest_nestedCallCannotOutliveIt() throws Exception {
    ChildPeer peer = child(0);
    RpcProcess middle = open();
    middle.export("relay", a -> {
      long t0 = System.nanoTime();
      try {
        // asks for 60 s, but its caller gave the whole call only 500 ms
        return Rpc.sync(peer.id, "hold").withDeadline(Duration.ofSeconds(60)).call(60_000L);
      } catch (DeadlineExceededException e) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
    });
    RpcProcess client = open();

    assertThrows(DeadlineExceededException.class, () -> client.sync(middle.id(), "relay")
        .withDeadline(Duration.ofMillis(500)).call());

    // the nested call ended at the inherited deadline: the middle's handler is not left behind
    await().atMost(Duration.ofSeconds(5)).until(() -> middle.pendingCalls() == 0);
  }

  @Test
  void killedPeerRestartedOnSamePort_callsSucceedAgain() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ChildPeer first = child(port);
    RpcProcess client = open();
    assertEquals("one", client.sync(first.id, "echo").call("one"));

    first.kill();
    assertThrows(PeerUnavailableException.class,
        () -> client.sync(first.id, "echo").call("gone"));
    ChildPeer second = child(port);

    await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(
        PeerUnavailableException.class)
        .until(() -> "two".equals(client.sync(second.id, "echo").call("two")));
    assertEquals(0, client.pendingCalls());
  }

  @Test
  void peerClosesGracefully_runningCallsFinish_newCallsFail() throws Exception {
    ChildPeer peer = child(0);
    RpcProcess client = open();
    List<RpcFuture<Object>> holds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      holds.add(client.future(peer.id, "hold").call(1_000L));
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (int) client.sync(peer.id, "hanging").call() == 20);

    peer.closeGracefully();

    for (RpcFuture<Object> h : holds) {
      assertEquals("held", h.join());
    }
    assertThrows(PeerUnavailableException.class, () -> client.sync(peer.id, "echo").call(1));
  }

  @Test
  void ownProcessCloses_withCallsInFlightBothWays_everyCallEnds() throws Exception {
    ChildPeer peer = child(0);
    RpcProcess local = open(RpcConfig.defaults().withCloseGrace(Duration.ofSeconds(5)));
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    local.export("slowLocal", a -> {
      running.countDown();
      Rpc.sleep(Duration.ofMillis(300));
      return "answered";
    });
    RpcProcess observer = open();
    // the peer calls into `local` (in flight towards us) ...
    RpcFuture<Object> inbound = observer.future(peer.id, "callBack")
        .call(local.id().toString(), "slowLocal");
    // ... and `local` has calls in flight towards the peer
    RpcFuture<Object> outbound = local.future(peer.id, "hang").call();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (int) observer.sync(peer.id, "hanging").call() == 1);
    assertTrue(running.await(10, java.util.concurrent.TimeUnit.SECONDS));

    local.close();
    local.close(); // harmless

    assertEquals("answered", inbound.join(), "a running handler finishes within the grace");
    assertInstanceOf(ProcessClosedException.class,
        assertThrows(RpcException.class, outbound::join));
    assertEquals(0, local.pendingCalls());
  }
}
