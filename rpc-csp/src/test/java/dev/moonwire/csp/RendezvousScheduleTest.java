package dev.moonwire.csp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every schedule, at the grain of operations, of one blocking writer, one blocking reader and a
 * cancellation of each: W (write 1), R (read), CW (cancel the writer), CR (cancel the reader) in
 * all 24 orders, each step taken once the one before has settled (ended, or parked in its wait).
 * Then the channel is closed and drained. Whatever the order: the value is read at most once,
 * it is read or left in the channel exactly when its write returned, and a cancelled write's
 * value is nowhere.
 */
class RendezvousScheduleTest {
  enum Step { W, R, CW, CR }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void everyOrderOfWriteReadAndTheirCancellations_valueTakenOnceOrStaysWithTheWriter(int depth)
      throws Exception {
    List<List<Step>> orders = new ArrayList<>();
    permutations(new ArrayList<>(List.of(Step.values())), new ArrayList<>(), orders);
    assertEquals(24, orders.size());
    for (List<Step> order : orders) {
      check(depth, order);
    }
  }

  private static void check(int depth, List<Step> order) throws Exception {
    Channel<Integer> ch = Channel.create(depth);
    CompletableFuture<String> writer = new CompletableFuture<>();
    CompletableFuture<String> reader = new CompletableFuture<>();
    Thread[] threads = new Thread[2];
    boolean[] cancelFirst = new boolean[2];
    for (Step step : order) {
      switch (step) {
        case W -> threads[0] = start(cancelFirst[0], writer, () -> {
          ch.write(1);
          return "ok";
        });
        case R -> threads[1] = start(cancelFirst[1], reader, () -> "got " + ch.read());
        case CW -> cancel(threads, cancelFirst, 0, writer);
        case CR -> cancel(threads, cancelFirst, 1, reader);
      }
      settle(threads);
    }
    ch.close();
    String w = writer.get(10, TimeUnit.SECONDS);
    String r = reader.get(10, TimeUnit.SECONDS);
    Optional<Integer> left = drain(ch);
    String about = "depth " + depth + ", order " + order + ": writer " + w + ", reader " + r
        + ", left " + left;
    boolean read = r.equals("got 1");
    assertTrue(!(read && left.isPresent()), "the value twice; " + about);
    assertEquals(w.equals("ok"), read || left.isPresent(), "lost or invented; " + about);
    assertTrue(w.equals("ok") || w.equals("cancelled") || w.equals("closed"), about);
    assertTrue(read || r.equals("cancelled") || r.equals("closed"), about);
  }

  private static Thread start(boolean cancelled, CompletableFuture<String> outcome,
      java.util.concurrent.Callable<String> op) {
    return Thread.ofVirtual().start(() -> {
      if (cancelled) {
        Thread.currentThread().interrupt(); // cancelled before it began to wait
      }
      try {
        outcome.complete(op.call());
      } catch (CancelledException e) {
        outcome.complete("cancelled");
      } catch (ChannelClosedException e) {
        outcome.complete("closed");
      } catch (Throwable e) {
        outcome.completeExceptionally(e);
      }
    });
  }

  private static void cancel(Thread[] threads, boolean[] cancelFirst, int who,
      CompletableFuture<String> outcome) {
    if (threads[who] == null) {
      cancelFirst[who] = true;
    } else {
      threads[who].interrupt();
      // an interrupted wait always ends (cancelled, or completed at that moment): let it
      await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .atMost(Duration.ofSeconds(10)).until(outcome::isDone);
    }
  }

  private static void settle(Thread[] threads) {
    for (Thread t : threads) {
      if (t != null) {
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING
            || t.getState() == Thread.State.TERMINATED);
      }
    }
  }

  private static Optional<Integer> drain(Channel<Integer> ch) {
    Optional<Integer> v;
    try {
      v = ch.poll();
    } catch (ChannelClosedException e) {
      return Optional.empty();
    }
    try {
      assertEquals(Optional.empty(), ch.poll(), "a second value");
    } catch (ChannelClosedException e) {
      // drained
    }
    return v;
  }

  private static void permutations(List<Step> rest, List<Step> prefix, List<List<Step>> out) {
    if (rest.isEmpty()) {
      out.add(List.copyOf(prefix));
      return;
    }
    for (int i = 0; i < rest.size(); i++) {
      Step s = rest.remove(i);
      prefix.add(s);
      permutations(rest, prefix, out);
      prefix.remove(prefix.size() - 1);
      rest.add(i, s);
    }
  }
}
