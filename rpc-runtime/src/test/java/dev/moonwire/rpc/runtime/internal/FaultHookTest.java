package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Faults are injected per process by a hook a test installs (issue 21, item 15). */
class FaultHookTest extends ProcessTestSupport {

  @Test
  void aHookThatLosesSends_losesThemAtThatProcessOnly_untilRemoved() {
    RpcProcess receiver = open();
    RpcProcess other = open();
    AtomicInteger atReceiver = new AtomicInteger();
    AtomicInteger atOther = new AtomicInteger();
    receiver.export("note", a -> atReceiver.incrementAndGet());
    other.export("note", a -> atOther.incrementAndGet());
    RpcProcess sender = open();
    ((RuntimeProcess) receiver).injectFaults((peer, m) ->
        m instanceof Message.Send && peer.equals(sender.id()) ? FaultHook.LOSE : FaultHook.NOW);

    for (int i = 0; i < 50; i++) {
      sender.send(receiver.id(), "note", i);
      sender.send(other.id(), "note", i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> atOther.get() == 50);
    sender.send(receiver.id(), "note", -1); // behind the 50 on the same connection
    ((RuntimeProcess) receiver).injectFaults(null);
    sender.send(receiver.id(), "note", 51);

    await().atMost(Duration.ofSeconds(10)).until(() -> atReceiver.get() >= 1);
    assertTrue(atReceiver.get() <= 2, "lost while the hook was in: " + atReceiver.get());
  }

  @Test
  void aHookThatHoldsOneMessage_letsLaterOnesOvertakeIt() {
    RpcProcess receiver = open();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    receiver.export("note", a -> seen.add(a.intAt(0)));
    RpcProcess sender = open();
    AtomicInteger n = new AtomicInteger();
    ((RuntimeProcess) receiver).injectFaults((peer, m) -> n.getAndIncrement() == 0 ? 300 : 0);

    for (int i = 0; i < 5; i++) {
      sender.send(receiver.id(), "note", i);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 5);
    assertEquals(List.of(1, 2, 3, 4, 0), seen);
  }

  @Test
  void cutConnections_failsCallsInFlight_andTheNextCallDialsAgain() throws Exception {
    RpcProcess server = open();
    CompletableFuture<Void> never = new CompletableFuture<>();
    server.export("hang", a -> never.get());
    server.export("hi", a -> "hi");
    RpcProcess client = open();
    CompletableFuture<Object> hung = new CompletableFuture<>();
    client.async(server.id(), "hang", hung::complete, hung::complete).call();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.pendingCalls() == 1
        && ((RuntimeProcess) server).diagnostics().connectionCount() == 1);

    ((RuntimeProcess) client).cutConnections();

    assertInstanceOf(PeerUnavailableException.class, get(hung));
    never.complete(null);
    CompletableFuture<Object> again = new CompletableFuture<>();
    client.async(server.id(), "hi", again::complete, again::complete).call();
    assertEquals("hi", get(again));
  }
}
