package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6 against a real JVM with a 256 MiB heap and default limits: floods of one-way sends
 * and of async calls. Each message is handled or refused — the sender learns which — the heap
 * stays bounded, and a second client's ping stays fast. The size of each flood is
 * {@code -Dmoonwire.flood} (200,000 here; the note's figures use 1,000,000).
 */
class FloodTest extends ProcessTestSupport {
  private static final int FLOOD = Integer.getInteger("moonwire.flood", 200_000);
  private static final long MIB = 1 << 20;

  /** Pings {@code server} from its own process until stopped; keeps the worst round trip. */
  private static final class Prober implements AutoCloseable {
    final AtomicLong worstNanos = new AtomicLong();
    final java.util.List<Long> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger pings = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Prober(RpcProcess prober, dev.moonwire.rpc.ProcessId server) {
      // connected and warm before the flood: what is measured is the flood's effect
      for (int i = 0; i < 200; i++) {
        prober.sync(server, "ping").withDeadline(Duration.ofSeconds(20)).call();
      }
      thread = new Thread(() -> {
        while (!stop.get()) {
          long t0 = System.nanoTime();
          prober.sync(server, "ping").withDeadline(Duration.ofSeconds(20)).call();
          long took = System.nanoTime() - t0;
          worstNanos.accumulateAndGet(took, Math::max);
          all.add(took);
          pings.incrementAndGet();
        }
      }, "prober");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  private static long[] stats(RpcProcess client, ChildPeer server) {
    return client.sync(server.id, "stats").withDeadline(Duration.ofSeconds(30)).call();
  }

  private static String report(String what, long[] stats, Prober prober) {
    List<Long> sorted = prober.all.stream().sorted().toList();
    long p99 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() * 99 / 100);
    long p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    return String.format("%s: %,d messages; peak heap %d MiB of 256, %d MiB after a full GC; "
        + "ping of a second client: worst %d ms, p99 %.1f ms, p50 %.2f ms over %d pings", what,
        FLOOD, stats[2] / MIB, stats[3] / MIB, prober.worstNanos.get() / 1_000_000,
        p99 / 1e6, p50 / 1e6, prober.pings.get());
  }

  @Test
  void sendFlood_everySendHandledOrReportedToItsSender_heapBounded_pingFast() throws Exception {
    try (ChildPeer server = ChildPeer.start(FloodServer.class)) {
      RpcProcess client = open();
      RuntimeProcess rc = (RuntimeProcess) client;
      long[] stats;
      try (Prober prober = new Prober(open(), server.id)) {
        for (int i = 0; i < FLOOD; i++) {
          client.send(server.id, "sleepySend", i);
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> stats(client, server)[0] + rc.failedSends() == FLOOD);
        stats = stats(client, server);
        System.out.println("FLOOD " + report("send flood", stats, prober) + "; handled "
            + stats[0] + ", refused " + rc.failedSends());
        assertTrue(prober.worstNanos.get() < 2_000_000_000L, report("send flood", stats, prober));
      }
      assertTrue(server.process.isAlive(), "the server survived");
      assertTrue(stats[3] < 64 * MIB, "heap held after the flood: " + stats[3] / MIB + " MiB");
      takeUncaught().forEach(t -> assertTrue(t instanceof OverloadedException, t.toString()));
    }
  }

  @Test
  void asyncFlood_fromFourClients_everyCallEndsValueOrOverloaded_heapBounded_pingFast()
      throws Exception {
    try (ChildPeer server = ChildPeer.start(FloodServer.class)) {
      AtomicInteger values = new AtomicInteger();
      Map<Class<?>, AtomicInteger> errors = new ConcurrentHashMap<>();
      List<RemoteFunction> calls = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        calls.add(open().async(server.id, "sleepyCall", v -> values.incrementAndGet(),
            e -> errors.computeIfAbsent(e.getClass(), k -> new AtomicInteger())
                .incrementAndGet()));
      }
      RpcProcess statsClient = open();
      long[] stats;
      try (Prober prober = new Prober(open(), server.id)) {
        for (int i = 0; i < FLOOD; i++) {
          calls.get(i & 3).call();
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> values.get() + errors.values().stream().mapToInt(AtomicInteger::get)
                .sum() == FLOOD);
        stats = stats(statsClient, server);
        System.out.println("FLOOD " + report("async flood", stats, prober) + "; values "
            + values.get() + ", errors " + errors);
        assertTrue(prober.worstNanos.get() < 2_000_000_000L,
            report("async flood", stats, prober));
      }
      assertTrue(errors.keySet().stream().allMatch(k -> k == OverloadedException.class),
          "only refusals: " + errors);
      assertEquals(values.get(), (int) stats[1], "every value came from a call that ran");
      assertTrue(server.process.isAlive(), "the server survived");
      assertTrue(stats[3] < 64 * MIB, "heap held after the flood: " + stats[3] / MIB + " MiB");
    }
  }
}
