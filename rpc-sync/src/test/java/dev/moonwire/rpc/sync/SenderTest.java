package dev.moonwire.rpc.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Rpc.sender(): the authenticated peer of the message a handler handles, never an argument. */
class SenderTest extends ProcessTestSupport {
  @Test
  void sender_inACalledHandler_isTheCallerAcrossSuspensionPoints_andItselfForALocalCall() {
    RpcProcess callee = open();
    RpcProcess caller = open();
    callee.export("who", a -> {
      ProcessId before = Rpc.sender();
      Rpc.sleep(Duration.ofMillis(5)); // other events may run meanwhile
      return List.of(before, Rpc.sender());
    });

    assertEquals(List.of(caller.id(), caller.id()), caller.sync(callee.id(), "who").call());
    assertEquals(List.of(callee.id(), callee.id()), callee.sync(callee.id(), "who").call());
  }

  @Test
  void sender_inAOneWaySendsHandler_isTheSender_whateverItsArgumentsClaim() {
    RpcProcess receiver = open();
    RpcProcess sender = open();
    List<ProcessId> seen = new CopyOnWriteArrayList<>();
    receiver.export("hello", a -> seen.add(Rpc.sender()));

    sender.send(receiver.id(), "hello", receiver.id()); // claims to be someone else

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
    assertEquals(sender.id(), seen.get(0));
  }

  @Test
  void sender_outsideAnyHandler_throwsIllegalState() {
    RpcProcess p = open();

    assertThrows(IllegalStateException.class, Rpc::sender); // a test thread
    IllegalStateException inTask = assertThrows(IllegalStateException.class,
        () -> rethrow(p.submit(() -> Rpc.sender()))); // a task is no handler
    assertEquals(IllegalStateException.class, inTask.getClass());
  }

  private static void rethrow(dev.moonwire.rpc.RpcFuture<?> f) {
    try {
      f.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
