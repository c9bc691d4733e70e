package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The target of {@link FloodTest}, run in its own JVM with {@code -Xmx256m} and all defaults:
 * handlers that sleep 10 ms (suspended, so each admitted message holds a virtual thread), a
 * ping, and its heap figures. Prints {@code READY <port>}; ends when standard input closes.
 */
public final class FloodServer {
  private FloodServer() {}

  private static long sends; // process state
  private static long calls;

  public static void main(String[] args) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong peak = peakHeapUsed(memory);

    RpcProcess self = Rpc.open(RpcConfig.defaults());
    self.export("sleepySend", a -> {
      Rpc.sleep(Duration.ofMillis(10));
      sends++;
      return null;
    });
    self.export("sleepyCall", a -> {
      Rpc.sleep(Duration.ofMillis(10));
      calls++;
      return 1;
    });
    self.export("ping", a -> "pong");
    // stats(): sends handled, calls handled, peak heap used, heap used after a full GC
    self.export("stats", a -> {
      System.gc();
      return new long[] {sends, calls, peak.get(), memory.getHeapMemoryUsage().getUsed()};
    });
    System.out.println("READY " + self.id().port());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // until standard input closes
    }
    self.close();
  }

  /** The peak heap used, sampled every 5 ms by a daemon thread. */
  // the sampling runs until this JVM exits, and reading the heap's usage cannot fail
  @SuppressWarnings("FutureReturnValueIgnored")
  private static AtomicLong peakHeapUsed(MemoryMXBean memory) {
    AtomicLong peak = new AtomicLong();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heap-sampler");
      t.setDaemon(true);
      return t;
    });
    sampler.scheduleAtFixedRate(
        () -> peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
        0, 5, TimeUnit.MILLISECONDS);
    return peak;
  }
}
