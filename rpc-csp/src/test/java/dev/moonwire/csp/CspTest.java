package dev.moonwire.csp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Csp's constructors with branches as events of real processes, and on virtual threads. */
class CspTest extends ProcessTestSupport {
  private final List<String> log = new ArrayList<>(); // process state: touched by its events only

  private static <T> T within(RpcFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void par_branchesAsEvents_rendezvousThroughAChannel_sharingStateWithoutLocks()
      throws Exception {
    RpcProcess p = open();
    Channel<Integer> ch = Channel.create(0);
    within(p.submit(() -> {
      Csp.par(
          () -> {
            for (int i = 0; i < 100; i++) {
              ch.write(i);
              log.add("w" + i);
            }
          },
          () -> {
            for (int i = 0; i < 100; i++) {
              log.add("r" + ch.read());
            }
          });
      return null;
    }));
    List<String> seen = within(p.submit(() -> List.copyOf(log)));
    assertEquals(200, seen.size());
    for (int i = 0; i < 100; i++) {
      assertTrue(seen.indexOf("r" + i) >= 0 && seen.indexOf("w" + i) >= 0, seen.toString());
    }
  }

  @Test
  void par_branchesAsEvents_switchOnlyAtSuspensionPoints() throws Exception {
    RpcProcess p = open();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    Semaphore turn = Semaphore.create(1);
    within(p.submit(() -> {
      Csp.parArray(8, i -> {
        for (int round = 0; round < 20; round++) {
          if (inside.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          for (int spin = 0; spin < 2_000; spin++) {
            Thread.onSpinWait(); // widens the window another thread would run in
          }
          inside.decrementAndGet();
          turn.down(); // a suspension point: here, and only here, others may run
          turn.up();
        }
      });
      return null;
    }));
    assertEquals(0, overlaps.get(), "two branches of one process ran at once");
  }

  @Test
  void threadsPar_branchesRunInParallel() {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch both = new CountDownLatch(2);
    Csp.threads().par(
        () -> {
          most.accumulateAndGet(inside.incrementAndGet(), Math::max);
          both.countDown();
          both.await(10, TimeUnit.SECONDS);
        },
        () -> {
          most.accumulateAndGet(inside.incrementAndGet(), Math::max);
          both.countDown();
          both.await(10, TimeUnit.SECONDS);
        });
    assertEquals(2, most.get());
  }

  @Test
  void par_outsideAnyProcess_withTwoOpen_throwsPointingToThreads() {
    open();
    open();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Csp.par(() -> { }));
    assertTrue(e.getMessage().contains("Csp.threads().par"), e.getMessage());
  }

  @Test
  void par_oneBranchFails_theOthersStillEnd_firstFailureThrownOthersSuppressed()
      throws Exception {
    RpcProcess p = open();
    Channel<Integer> ch = Channel.create(0);
    AtomicInteger ended = new AtomicInteger();
    ExecutionException e = assertThrows(ExecutionException.class, () -> within(p.submit(() -> {
      Csp.par(
          () -> {
            throw new IllegalStateException("first");
          },
          () -> {
            ch.write(1); // waits for the third branch
            ended.incrementAndGet();
          },
          () -> {
            ch.read();
            ended.incrementAndGet();
            throw new java.io.IOException("second");
          });
      return null;
    })));
    assertEquals(2, ended.get(), "par returned before its other branches ended");
    Throwable thrown = e.getCause();
    assertEquals("first", thrown.getMessage());
    assertEquals(1, thrown.getSuppressed().length);
    assertTrue(thrown.getSuppressed()[0] instanceof CompletionException
        || thrown.getSuppressed()[0] instanceof java.io.IOException);
  }

  @Test
  void parGreedy_oneBranchBlockedForever_returnsPromptlyWithTheFailure() throws Exception {
    RpcProcess p = open();
    Channel<Integer> never = Channel.create(0);
    CompletableFuture<Throwable> blockedSaw = new CompletableFuture<>();
    long start = System.nanoTime();
    ExecutionException e = assertThrows(ExecutionException.class, () -> within(p.submit(() -> {
      Csp.parGreedy(
          () -> {
            try {
              never.read();
            } catch (RuntimeException ex) {
              blockedSaw.complete(ex);
              throw ex;
            }
          },
          () -> {
            Rpc0.sleep(Duration.ofMillis(20));
            throw new IllegalArgumentException("boom");
          });
      return null;
    })));
    assertEquals("boom", e.getCause().getMessage());
    assertEquals(0, e.getCause().getSuppressed().length, "our own cancellations are left out");
    assertTrue(blockedSaw.get(1, TimeUnit.SECONDS) instanceof CancelledException);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    assertFalse(never.offer(1), "the cancelled read still waits in the channel");
  }

  @Test
  void par_callerCancelled_cancelsItsBranches() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    Channel<Integer> never = Channel.create(0);
    CompletableFuture<Throwable> branchSaw = new CompletableFuture<>();
    CountDownLatch started = new CountDownLatch(1);
    server.export("runPar", a -> {
      Csp.par(() -> {
        started.countDown();
        try {
          never.read();
        } catch (RuntimeException ex) {
          branchSaw.complete(ex);
          throw ex;
        }
      });
      return "ended";
    });
    RpcFuture<String> call = client.future(server.id(), "runPar").call();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    call.cancel(true);
    assertTrue(branchSaw.get(10, TimeUnit.SECONDS) instanceof CancelledException);
    assertFalse(never.offer(1), "the cancelled branch still waits in the channel");
  }

  @Test
  void fork_failureNobodyJoins_goesToTheUncaughtErrorHandler() throws Exception {
    RpcProcess p = open();
    within(p.submit(() -> Csp.fork(() -> {
      throw new IllegalStateException("unjoined");
    })));
    await().atMost(Duration.ofSeconds(10)).until(() -> !uncaught.isEmpty());
    List<Throwable> taken = takeUncaught();
    assertEquals("unjoined", taken.get(0).getMessage());
  }

  @Test
  void fork_joined_throwsTheFailure() throws Exception {
    RpcProcess p = open();
    Channel<Integer> go = Channel.create(0);
    ExecutionException e = assertThrows(ExecutionException.class, () -> within(p.submit(() -> {
      Forked f = Csp.fork(() -> {
        go.read();
        throw new IllegalStateException("joined");
      });
      // branches run in order: the join is waiting before the write lets the fork fail
      Csp.par(f::join, () -> go.write(1));
      return null;
    })));
    assertEquals("joined", e.getCause().getMessage());
    assertTrue(takeUncaught().isEmpty());
  }

  @Test
  void parArray_givesEachBranchItsIndex_andRefusesAnUnreasonableN() throws Exception {
    RpcProcess p = open();
    int[] seen = new int[10];
    within(p.submit(() -> {
      Csp.parArray(10, i -> seen[i]++);
      return null;
    }));
    assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        java.util.Arrays.stream(seen).boxed().toList());
    assertThrows(IllegalArgumentException.class, () -> Csp.parArray(-1, i -> { }));
    assertThrows(IllegalArgumentException.class,
        () -> Csp.parArray(Csp.MAX_ARRAY + 1, i -> { }));
  }

  @Test
  void seq_runsInOrder_andStopsAtTheFirstFailure() {
    List<Integer> order = new ArrayList<>();
    assertThrows(IllegalStateException.class, () -> Csp.seq(
        () -> order.add(1), () -> {
          throw new IllegalStateException("stop");
        }, () -> order.add(3)));
    assertEquals(List.of(1), order);
  }

  /** Rpc.sleep, named apart from Csp's own vocabulary. */
  private static final class Rpc0 {
    static void sleep(Duration d) {
      dev.moonwire.rpc.Rpc.sleep(d);
    }
  }
}
