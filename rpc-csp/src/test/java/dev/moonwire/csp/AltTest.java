package dev.moonwire.csp;

import static dev.moonwire.csp.ChannelTest.awaitBlocked;
import static dev.moonwire.csp.ChannelTest.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Alt.select on plain threads. */
class AltTest {
  @Test
  void select_manySelects_noReadyBranchPassedOverMoreThanNMinus1TimesInARow() {
    int n = 3;
    @SuppressWarnings("unchecked")
    Channel<Integer>[] chs = new Channel[n];
    for (int i = 0; i < n; i++) {
      chs[i] = Channel.create(1);
      chs[i].write(i);
    }
    int[] passedOver = new int[n];
    int[] worst = new int[n];
    int[] taken = new int[n];
    for (int s = 0; s < 10_000; s++) {
      int got = Alt.select(
          Alt.read(chs[0], v -> v), Alt.read(chs[1], v -> v), Alt.read(chs[2], v -> v));
      taken[got]++;
      chs[got].write(got); // every branch stays ready at every select
      for (int i = 0; i < n; i++) {
        passedOver[i] = i == got ? 0 : passedOver[i] + 1;
        worst[i] = Math.max(worst[i], passedOver[i]);
      }
    }
    for (int i = 0; i < n; i++) {
      assertTrue(worst[i] <= n - 1, "branch " + i + " passed over " + worst[i] + " times in a row");
      assertTrue(taken[i] >= 3_000, "branch " + i + " taken " + taken[i] + " times of 10,000");
    }
  }

  @Test
  void select_falseGuard_isNeverTaken_evenWhenReady() {
    Channel<Integer> a = Channel.create(1);
    Channel<Integer> b = Channel.create(100);
    for (int s = 0; s < 1_000; s++) {
      a.write(1);
      b.offer(2);
      int got = Alt.select(Alt.read(a, v -> v), Alt.read(b, v -> v).when(false));
      assertEquals(1, got);
    }
  }

  @Test
  void select_everyGuardFalse_andNoAfterOrSkip_throwsAtOnce() {
    Channel<Integer> a = Channel.create(1);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Alt.select(Alt.read(a, v -> v).when(false),
            Alt.skip(() -> 0).when(false)));
    assertTrue(e.getMessage().contains("all false"), e.getMessage());
  }

  @Test
  void select_nothingReady_afterFires() {
    Channel<Integer> a = Channel.create(0);
    long start = System.nanoTime();
    String r = Alt.select(Alt.read(a, v -> "read " + v),
        Alt.after(Duration.ofMillis(50), () -> "timeout"));
    assertEquals("timeout", r);
    assertTrue(System.nanoTime() - start >= 50_000_000L, "after fired early");
    assertFalse(a.offer(1), "the select still waits in the channel after its timeout");
  }

  @Test
  void select_readyBranch_winsOverSkipAndAfter() {
    Channel<Integer> a = Channel.create(1);
    a.write(9);
    assertEquals("read 9", Alt.select(Alt.skip(() -> "skip"), Alt.read(a, v -> "read " + v)));
    assertEquals("skip", Alt.select(Alt.skip(() -> "skip"), Alt.read(a, v -> "read " + v)));
  }

  @Test
  void select_waiting_takesExactlyOneOfTwoChannels() throws Exception {
    Channel<String> ch1 = Channel.create(0);
    Channel<String> ch2 = Channel.create(0);
    ChannelTest.Running<String> alt = spawn(() -> Alt.select(
        Alt.read(ch1, v -> "ch1: hello " + v),
        Alt.read(ch2, v -> "ch2: hello " + v)));
    awaitBlocked(alt);
    ch2.write("world");
    assertEquals("ch2: hello world", alt.get());
    assertFalse(ch1.offer("late"), "the finished select still waits on ch1");
  }

  @Test
  void select_writeBranch_handsTheValueToAReaderArrivingLater() throws Exception {
    Channel<Integer> out = Channel.create(0);
    Channel<Integer> in = Channel.create(0);
    ChannelTest.Running<String> alt = spawn(() -> Alt.select(
        Alt.write(out, 7, () -> "sent"), Alt.read(in, v -> "got " + v)));
    awaitBlocked(alt);
    assertEquals(7, out.read());
    assertEquals("sent", alt.get());
    assertFalse(in.offer(1));
  }

  @Test
  void select_readOnClosedDrainedChannel_isReady_andThrows() {
    Channel<Integer> closed = Channel.create(0);
    Channel<Integer> idle = Channel.create(0);
    closed.close();
    assertThrows(ChannelClosedException.class,
        () -> Alt.select(Alt.read(idle, v -> v), Alt.read(closed, v -> v)));
  }

  @Test
  void select_waitingOnAChannelThatCloses_throwsClosed() throws Exception {
    Channel<Integer> ch = Channel.create(0);
    ChannelTest.Running<Integer> alt = spawn(() -> Alt.select(Alt.read(ch, v -> v)));
    awaitBlocked(alt);
    ch.close();
    assertTrue(alt.failure() instanceof ChannelClosedException);
  }

  @Test
  void select_interrupted_throwsCancelled_andLeavesNoNodeBehind() throws Exception {
    Channel<Integer> a = Channel.create(0);
    Channel<Integer> b = Channel.create(0);
    ChannelTest.Running<Integer> alt = spawn(() -> Alt.select(
        Alt.read(a, v -> v), Alt.write(b, 3, () -> -1)));
    awaitBlocked(alt);
    alt.thread().interrupt();
    assertTrue(alt.failure() instanceof CancelledException);
    assertFalse(a.offer(1));
    assertEquals(Optional.empty(), b.poll());
  }
}
