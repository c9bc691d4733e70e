package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.sync.Synchronizer;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DESIGN §6 with the sync layer: admission refuses per request and never wedges a peer. */
class AdmissionTest extends ProcessTestSupport {
  private final ArrayDeque<Integer> buffer = new ArrayDeque<>(); // server state
  private final IdentityHashMap<Args, Integer> fetched = new IdentityHashMap<>();

  @Test
  void rendezvousAtTheInFlightLimit_depositIsRefusedNotWedged_cancelFreesASlot() {
    RpcProcess server = open(RpcConfig.defaults().withMaxInFlight(10));
    Synchronizer s = Synchronizer.create()
        .addConstraint("buffer", "fetch", req -> !buffer.isEmpty())
        .setTrigger("buffer", "fetch", req -> fetched.put(req, buffer.poll()))
        .setTrigger("buffer", "deposit", req -> buffer.add(req.intAt(0)));
    server.export("fetch", s.guard("buffer", "fetch", fetched::remove));
    server.export("deposit", s.guard("buffer", "deposit", a -> null));
    server.export("pending", a -> s.pending("buffer", "fetch"));
    RpcProcess client = open();
    RuntimeProcess rs = (RuntimeProcess) server;

    List<RpcFuture<Integer>> fetches = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      fetches.add(client.future(server.id(), "fetch").withDeadline(Duration.ofSeconds(20))
          .call());
    }
    RpcProcess other = open();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> (int) other.sync(server.id(), "pending").call() == 10);

    // the deposit that would release them is the 11th request from that peer: refused at once
    assertThrows(OverloadedException.class,
        () -> client.sync(server.id(), "deposit").withDeadline(Duration.ofSeconds(5)).call(1));
    assertFalse(rs.diagnostics().readingPausedOnSomeConnection(), "the connection still reads");
    // a CANCEL is read, its held fetch leaves, and the slot is free again
    fetches.get(0).cancel(true);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> (int) other.sync(server.id(), "pending").call() == 9);
    client.sync(server.id(), "deposit").withDeadline(Duration.ofSeconds(5)).call(7);

    assertEquals(7, (int) fetches.get(1).join());
    for (int i = 2; i < 10; i++) {
      fetches.get(i).cancel(true);
    }
  }

  @Test
  void sendFlood_againstASmallBudget_everySendIsHandledOrReportedToTheSender() {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(64 * 1024));
    AtomicInteger handled = new AtomicInteger();
    server.export("slow", a -> {
      Rpc.sleep(Duration.ofMillis(20));
      handled.incrementAndGet();
      return null;
    });
    RpcProcess client = open();
    RuntimeProcess rc = (RuntimeProcess) client;
    int sends = 3_000;

    for (int i = 0; i < sends; i++) {
      client.send(server.id(), "slow", i);
    }

    await().atMost(Duration.ofSeconds(30))
        .until(() -> handled.get() + rc.failedSends() == sends);
    assertTrue(rc.failedSends() > 0 && handled.get() > 0,
        "handled " + handled.get() + ", refused " + rc.failedSends());
    await().atMost(Duration.ofSeconds(5)).until(() -> !uncaught.isEmpty());
    List<Throwable> reports = takeUncaught();
    assertTrue(reports.stream().allMatch(t -> t instanceof OverloadedException), reports.toString());
    assertTrue(reports.size() < 100, "gathered into few reports: " + reports.size());
  }

  @Test
  void sendsToItself_againstASmallBudget_handledOrReported() {
    RpcProcess self = open(RpcConfig.defaults().withMaxQueuedBytes(64 * 1024));
    AtomicInteger handled = new AtomicInteger();
    self.export("slow", a -> {
      Rpc.sleep(Duration.ofMillis(20));
      handled.incrementAndGet();
      return null;
    });
    RuntimeProcess rp = (RuntimeProcess) self;
    int sends = 500;

    for (int i = 0; i < sends; i++) {
      self.send(self.id(), "slow", i);
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() + rp.failedSends() == sends);
    assertTrue(rp.failedSends() > 0, "some were refused");
    await().atMost(Duration.ofSeconds(5)).until(() -> !uncaught.isEmpty());
    takeUncaught();
  }
}
