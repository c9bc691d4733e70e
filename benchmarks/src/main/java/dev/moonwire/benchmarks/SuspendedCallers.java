package dev.moonwire.benchmarks;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scenario of DESIGN §9: N handlers of one process suspended at once in sync calls to a slow
 * peer, all completing. Reports the peak used heap (sampled every 5 ms) of the whole JVM, which
 * also holds the peer and the client.
 *
 * <pre>java -Xmx1g -cp benchmarks.jar dev.moonwire.benchmarks.SuspendedCallers [100000]</pre>
 */
public final class SuspendedCallers {
  private SuspendedCallers() {}

  private static int suspended; // server state
  private static RpcFuture<Integer> gate; // peer state

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    AtomicBoolean released = new AtomicBoolean();
    RpcProcess gatekeeper = Rpc.open(RpcConfig.defaults());
    gatekeeper.export("open", a -> {
      while (!released.get()) {
        Rpc.sleep(Duration.ofMillis(20));
      }
      return 7;
    });
    RpcProcess peer = Rpc.open(RpcConfig.defaults().withDeadline(Duration.ofMinutes(5))
        .withMaxInFlight(2 * n).withMaxQueuedBytes(4096L * n));
    peer.export("slow", a -> {
      if (gate == null) {
        gate = Rpc.future(gatekeeper.id(), "open").call();
      }
      return gate.join();
    });
    // All n calls are meant to be in flight at once: raise the per-connection limit, and the
    // bytes of work a process may hold (each suspended request counts its frame + 2 KiB).
    RpcConfig many = RpcConfig.defaults().withDeadline(Duration.ofMinutes(5))
        .withMaxInFlight(2 * n).withMaxQueuedBytes(4096L * n);
    RpcProcess server = Rpc.open(many);
    server.export("relay", a -> {
      suspended++;
      int v = Rpc.sync(peer.id(), "slow").call();
      suspended--;
      return v;
    });
    RpcProcess client = Rpc.open(many);

    AtomicLong peak = new AtomicLong();
    Thread sampler = Thread.ofPlatform().daemon().start(() -> {
      Runtime rt = Runtime.getRuntime();
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    long t0 = System.nanoTime();
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger failed = new AtomicInteger();
    var relay = client.async(server.id(), "relay", v -> done.countDown(), e -> {
      failed.incrementAndGet();
      done.countDown();
    });
    for (int i = 0; i < n; i++) {
      relay.call();
    }
    while (true) {
      CompletableFuture<Integer> count = new CompletableFuture<>();
      server.execute(() -> count.complete(suspended));
      if (count.get() == n) {
        break;
      }
      Thread.sleep(50); // a progress poll in a program, not a test
    }
    long allSuspended = System.nanoTime();
    long heapAtPeak = peak.get();
    released.set(true);
    if (!done.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("calls missing: " + done.getCount());
    }
    long end = System.nanoTime();
    sampler.interrupt();
    System.out.printf("%,d handlers suspended at once in one process: all suspended after %.1f s,"
            + " all completed %.1f s later, %d failed%n", n, (allSuspended - t0) / 1e9,
        (end - allSuspended) / 1e9, failed.get());
    System.out.printf("peak used heap (whole JVM: client, server, peer): %,d MiB (-Xmx %,d MiB)%n",
        Math.max(heapAtPeak, peak.get()) >> 20, Runtime.getRuntime().maxMemory() >> 20);
    client.close();
    server.close();
    peer.close();
    gatekeeper.close();
  }
}
