package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** DESIGN §5: close() lets running handlers finish, then fails what is left; nothing hangs. */
class CloseTest extends ProcessTestSupport {

  @Test
  void callMadeDuringTheGrace_onAConnectionDialledThen_failsWhenTheGraceEnds()
      throws Exception {
    RpcProcess slow = open();
    slow.export("slow", a -> {
      Rpc.sleep(Duration.ofSeconds(20));
      return "late";
    });
    RpcProcess closing = Rpc.open(RpcConfig.defaults().withCloseGrace(Duration.ofSeconds(5)));
    CompletableFuture<Void> closeBegun = new CompletableFuture<>();
    // a request the grace waits for; when it ends, close() is well into its grace
    closing.export("hold", a -> {
      Rpc.sleep(Duration.ofMillis(500));
      closeBegun.complete(null);
      return null;
    });
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    // an event of the process that is not a request: close() does not cancel it
    closing.execute(() -> {
      Rpc.await(closeBegun);
      try {
        // a peer this process has never dialled: its connection is made during the grace
        Rpc.sync(slow.id(), "slow").call();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    });

    RpcProcess client = open();
    var hold = client.future(closing.id(), "hold").call();
    await().atMost(Duration.ofSeconds(5)).until(() -> client.pendingCalls() == 1);

    closing.close();

    hold.get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> failures.size() == 1);
    assertInstanceOf(ProcessClosedException.class, failures.get(0));
    assertEquals(0, closing.pendingCalls());
  }

  @Test
  void requestRunningWhenTheGraceEnds_isCancelled_itsCallerGetsAnError() throws Exception {
    RpcProcess slow = open();
    slow.export("slow", a -> {
      Rpc.sleep(Duration.ofSeconds(20));
      return "late";
    });
    RpcProcess closing = Rpc.open(RpcConfig.defaults().withCloseGrace(Duration.ofMillis(300)));
    List<Throwable> relayed = new CopyOnWriteArrayList<>();
    closing.export("relay", a -> {
      try {
        return Rpc.sync(slow.id(), "slow").call();
      } catch (RuntimeException e) {
        relayed.add(e);
        throw e;
      }
    });
    RpcProcess client = open();
    var relay = client.future(closing.id(), "relay").call();
    await().atMost(Duration.ofSeconds(5)).until(() -> closing.pendingCalls() == 1);

    closing.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> relayed.size() == 1);
    assertTrue(relayed.get(0) instanceof dev.moonwire.rpc.RpcException, relayed.toString());
    assertEquals(0, closing.pendingCalls());
    assertTrue(relay.handle((v, e) -> e).toCompletableFuture().get(10, TimeUnit.SECONDS) != null,
        "the relay's caller got an error, not a value");
  }
}
