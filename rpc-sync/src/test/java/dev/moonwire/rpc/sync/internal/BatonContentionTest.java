package dev.moonwire.rpc.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The baton under contention: many processes calling each other with nested sync calls, driven
 * by many virtual threads at once. Between two suspension points, no other event of the same
 * process may run.
 */
class BatonContentionTest extends ProcessTestSupport {
  /**
   * Per process: how many of its events run between suspension points right now. An atomic, and
   * each event stays inside for a while, so two that overlap are seen doing so.
   */
  private static final class Guard {
    final AtomicInteger inside = new AtomicInteger();

    void enter(AtomicInteger overlaps) {
      if (inside.incrementAndGet() != 1) {
        overlaps.incrementAndGet();
      }
      long end = System.nanoTime() + 20_000; // widen the window: 20 µs inside
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    }

    void leave() {
      inside.decrementAndGet();
    }
  }

  @Test
  void nestedSyncCallsAcrossSixProcesses_fromTwoThousandVirtualThreads_neverOverlap()
      throws Exception {
    int n = 6;
    List<RpcProcess> procs = new ArrayList<>();
    List<ProcessId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RpcProcess p = open(RpcConfig.defaults());
      procs.add(p);
      ids.add(p.id());
    }
    AtomicInteger overlaps = new AtomicInteger();
    for (RpcProcess p : procs) {
      Guard g = new Guard();
      p.export("work", a -> {
        int depth = a.intAt(0);
        g.enter(overlaps);
        int sum = depth;
        if (depth > 0) {
          ProcessId next = ids.get(ThreadLocalRandom.current().nextInt(n));
          g.leave(); // the sync call is a suspension point
          int inner = Rpc.sync(next, "work").call(depth - 1);
          g.enter(overlaps);
          sum += inner;
        }
        g.leave();
        return sum;
      });
    }
    RpcProcess driver = open();
    AtomicInteger wrong = new AtomicInteger();

    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < 2_000; t++) {
      ProcessId target = ids.get(t % n);
      callers.add(Thread.ofVirtual().start(() -> {
        int v = driver.sync(target, "work").call(3);
        if (v != 3 + 2 + 1) {
          wrong.incrementAndGet();
        }
      }));
    }
    for (Thread c : callers) {
      c.join();
    }

    assertEquals(0, overlaps.get(), "events of one process overlapped");
    assertEquals(0, wrong.get());
  }
}
