package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.transport.InboundShares;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.StatsSampler;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DESIGN §6: one peer cannot take the whole inbound budget. While a flooder holds its share,
 * another client's calls are admitted — none refused — and answered within a second; the
 * flooder's excess is refused ({@link InboundShares}).
 */
class FairShareTest extends ProcessTestSupport {
  /** The server's budget: small, so that the flood really reaches it. */
  private static final long BUDGET = 1 << 20;
  /** What the other client sends with each call: more than one of the flooder's frames. */
  private static final int ARGUMENT = 4096;
  private static final int CALLS = 400;
  private static final int AT_ONCE = 4;

  enum Flood { ONE_WAY_SENDS, ASYNC_CALLS }

  @ParameterizedTest
  @EnumSource(Flood.class)
  void oneClientFloods_anotherClientsCallsAreAllAdmitted_andAnsweredWithinASecond(Flood kind)
      throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxQueuedBytes(BUDGET));
    AtomicLong handled = new AtomicLong();
    server.export("work", a -> {
      handled.incrementAndGet();
      long end = System.nanoTime() + 100_000; // work slower than the flood comes in
      while (System.nanoTime() - end < 0) {
        Thread.onSpinWait();
      }
      return null;
    });
    server.export("echo", a -> ((byte[]) a.get(0)).length);
    RpcProcess flooder = open();
    RpcProcess innocent = open();
    AtomicLong flooderErrors = new AtomicLong();
    List<RpcException> flooderShareRefusals = new CopyOnWriteArrayList<>();
    List<RpcException> flooderOtherErrors = new CopyOnWriteArrayList<>();
    RemoteFunction work = flooder.async(server.id(), "work", v -> { }, e -> {
      flooderErrors.incrementAndGet();
      if (!(e instanceof OverloadedException)) {
        flooderOtherErrors.add(e);
      } else if (flooderShareRefusals.isEmpty() && e.getMessage().contains("fair share")) {
        flooderShareRefusals.add(e);
      }
    });

    // Netty's leak detector recording every buffer's every touch would make the flood crawl.
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sent = new AtomicLong();
    Thread flood = Thread.ofPlatform().daemon().name("flooder").start(() -> {
      RuntimeProcess f = (RuntimeProcess) flooder;
      for (long n = 1; !stop.get(); n++) {
        // About 50,000 a second, five times what the server handles, and never more than the
        // flooder itself takes: the server refuses, not the flooder.
        if (n % 50 == 0 || f.outbound().used() > 256 * 1024 || flooder.pendingCalls() > 4_000) {
          LockSupport.parkNanos(1_000_000);
        } else {
          if (kind == Flood.ONE_WAY_SENDS) {
            flooder.send(server.id(), "work", 7);
          } else {
            work.call(7);
          }
          sent.incrementAndGet();
        }
      }
    });
    try (StatsSampler stats = new StatsSampler(server, flooder.id())) {
      // the flood fills what one peer may hold: the bound is really reached
      long lone = BUDGET - Math.min(InboundShares.FLOOR, BUDGET / 4);
      await().atMost(Duration.ofSeconds(20)).until(() -> stats.maxInbound() >= lone - 4096);

      Map<Class<?>, AtomicInteger> errors = new ConcurrentHashMap<>();
      AtomicLong slowest = new AtomicLong();
      AtomicInteger answered = new AtomicInteger();
      Semaphore slots = new Semaphore(AT_ONCE);
      long[] sentAt = new long[CALLS];
      for (int i = 0; i < CALLS; i++) {
        assertTrue(slots.tryAcquire(10, TimeUnit.SECONDS), "a call never ended");
        int call = i;
        sentAt[call] = System.nanoTime();
        innocent.async(server.id(), "echo", v -> {
          slowest.accumulateAndGet(System.nanoTime() - sentAt[call], Math::max);
          answered.incrementAndGet();
          slots.release();
        }, e -> {
          errors.computeIfAbsent(e.getClass(), k -> new AtomicInteger()).incrementAndGet();
          slots.release();
        }).call((Object) new byte[ARGUMENT]);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> slots.availablePermits() == AT_ONCE);

      assertEquals(Map.of(), Map.copyOf(errors), "the other client's calls were refused");
      assertEquals(CALLS, answered.get());
      long millis = TimeUnit.NANOSECONDS.toMillis(slowest.get());
      assertTrue(millis < 1000, "the other client's slowest call took " + millis + " ms");
      // the flooder went on throughout, and was refused for its share
      assertTrue(flood.isAlive(), "the flood stopped");
      stop.set(true);
      flood.join(10_000);
      // each of the flood's messages handled or refused, and each refusal told
      RuntimeProcess f = (RuntimeProcess) flooder;
      await().atMost(Duration.ofSeconds(20)).until(() -> kind == Flood.ONE_WAY_SENDS
          ? handled.get() + f.failedSends() == sent.get()
          : handled.get() + flooderErrors.get() == sent.get());
      await().atMost(Duration.ofSeconds(5)).until(() -> flooder.stats().queuedEvents() == 0);
      List<String> refusals = (kind == Flood.ONE_WAY_SENDS ? takeUncaught()
          : List.<Throwable>copyOf(flooderShareRefusals)).stream().map(Throwable::getMessage)
          .toList();
      assertTrue(refusals.stream().anyMatch(m -> m.contains("fair share")),
          "the flooder was refused for its share: " + refusals.stream().limit(3).toList());
      assertTrue(kind == Flood.ASYNC_CALLS || flooder.stats().failedSends() > 0,
          "the flooder's refused sends show in its stats()");
      // every byte given back
      await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().inboundBytes() == 0);
    } finally {
      stop.set(true);
      flood.join(10_000);
      ResourceLeakDetector.setLevel(level);
    }
    takeUncaught().forEach(t -> assertTrue(t instanceof OverloadedException, t.toString()));
    assertEquals(List.of(), flooderOtherErrors, "the flooder's calls were only refused");
  }
}
