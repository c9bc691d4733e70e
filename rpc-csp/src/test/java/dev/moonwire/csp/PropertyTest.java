package dev.moonwire.csp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Many writers, readers and Alts over shared channels — branches as events of two processes and
 * on plain virtual threads — some cancelled at random while they wait or while a value is being
 * handed to them: every value whose write returned is read exactly once, no value whose write
 * was cancelled is ever read, and everything ends (no deadlock).
 */
class PropertyTest extends ProcessTestSupport {
  private static final int WRITERS = 6;
  private static final int READERS = 6;
  private static final int PER_WRITER = 300;

  @RepeatedTest(3)
  @org.junit.jupiter.api.Timeout(60)
  void randomOperations_someCancelled_everyWrittenValueReadExactlyOnce() throws Exception {
    run(false);
  }

  /**
   * The same over remote channels: the channels belong to p1; p2's branches read, write and
   * select through remote views of them (reservations for Alts, credit for buffered writes,
   * withdrawals for cancellations), p1's and the threads' use them locally.
   */
  @RepeatedTest(2)
  @org.junit.jupiter.api.Timeout(90)
  void randomOperationsThroughRemoteChannels_someCancelled_everyWrittenValueReadExactlyOnce()
      throws Exception {
    run(true);
  }

  private void run(boolean remote) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    RpcProcess p1 = open();
    RpcProcess p2 = open();
    List<Channel<Integer>> chs = List.of(Channel.create(0), Channel.create(1), Channel.create(4));
    List<Channel<Integer>> far = chs;
    if (remote) {
      far = new ArrayList<>();
      for (int i = 0; i < chs.size(); i++) {
        Channels.export(p1, "c" + i, chs.get(i), Integer.class);
        far.add(Channels.remote(p2, p1.id(), "c" + i, Integer.class));
      }
    }
    List<Channel<Integer>> viaP2 = far;
    Set<Integer> written = ConcurrentHashMap.newKeySet();
    Set<Integer> withdrawn = ConcurrentHashMap.newKeySet();
    Map<Integer, AtomicInteger> reads = new ConcurrentHashMap<>();
    AtomicInteger timeouts = new AtomicInteger();

    List<Forked> writers = new ArrayList<>();
    List<Forked> readers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int base = w * PER_WRITER;
      long s = random.nextLong();
      boolean onP2 = w % 3 == 1;
      Csp.Branch writer = () -> {
        Random r = new Random(s);
        for (int v = base; v < base + PER_WRITER; v++) {
          try {
            write(r, onP2 ? viaP2 : chs, v, remote && onP2);
            written.add(v);
          } catch (CancelledException e) {
            withdrawn.add(v);
            return;
          }
        }
      };
      writers.add(start(w % 3, p1, p2, writer));
    }
    for (int i = 0; i < READERS; i++) {
      long s = random.nextLong();
      // Reader 1 is never cancelled and only selects over every channel: whatever single
      // channel the others block on, every waiting writer has a reader that can serve it.
      boolean universal = i == 1;
      List<Channel<Integer>> mine = i % 3 == 1 ? viaP2 : chs;
      Csp.Branch reader = () -> {
        Random r = new Random(s);
        try {
          while (true) {
            Integer v = universal ? read(0, mine, timeouts) : read(r.nextInt(3), mine, timeouts);
            if (v != null) {
              reads.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
            }
          }
        } catch (ChannelClosedException | CancelledException e) {
          // the end of this reader: closed after the writers, or cancelled
        }
      };
      readers.add(start(i % 3, p1, p2, reader));
    }
    // Cancel half of the writers and half of the readers at random moments; the others go on.
    for (int i = 0; i < WRITERS / 2 + READERS / 2; i++) {
      // not a wait for anything: a random moment to cancel at, reached by spinning
      for (int spins = random.nextInt(2_000_000); spins > 0; spins--) {
        Thread.onSpinWait();
      }
      (i % 2 == 0 ? writers.get(i / 2 * 2) : readers.get(i / 2 * 2)).cancel();
    }
    for (Forked w : writers) {
      joinQuietly(w);
    }
    // Through p2's remote views when remote: each close waits until what p2 wrote on credit
    // is in (a close at the owner would refuse values still on their way).
    viaP2.forEach(Channel::close);
    chs.forEach(Channel::close);
    for (Forked r : readers) {
      joinQuietly(r);
    }
    // What readers cancelled or stopped early left behind — and, remotely, what an Alt's lost
    // reservation gives back a moment later: drain until every written value is accounted for.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
      for (Channel<Integer> ch : chs) {
        try {
          for (Optional<Integer> v; (v = ch.poll()).isPresent(); ) {
            reads.computeIfAbsent(v.get(), k -> new AtomicInteger()).incrementAndGet();
          }
        } catch (ChannelClosedException drained) {
          // nothing more now
        }
      }
      return reads.keySet().containsAll(written);
    });
    String about = (remote ? "remote, " : "") + "seed " + seed + ", " + written.size() + " written, " + withdrawn.size()
        + " withdrawn, " + timeouts.get() + " Alt timeouts";
    for (Map.Entry<Integer, AtomicInteger> e : reads.entrySet()) {
      assertEquals(1, e.getValue().get(), "value " + e.getKey() + " read twice; " + about);
      assertTrue(written.contains(e.getKey()), "value " + e.getKey()
          + " read though its write did not return; " + about);
    }
    for (int v : written) {
      if (!reads.containsKey(v)) {
        fail("value " + v + " written but never read (lost); " + about);
      }
    }
    assertTrue(written.size() > PER_WRITER, about);
  }

  /** A branch on p1's events, p2's events or a virtual thread. */
  private static Forked start(int where, RpcProcess p1, RpcProcess p2, Csp.Branch branch)
      throws Exception {
    return switch (where) {
      case 0 -> p1.submit(() -> Csp.fork(branch)).get(10, TimeUnit.SECONDS);
      case 1 -> p2.submit(() -> Csp.fork(branch)).get(10, TimeUnit.SECONDS);
      default -> Csp.threads().fork(branch);
    };
  }

  private static void write(Random r, List<Channel<Integer>> chs, int v, boolean remote) {
    Channel<Integer> a = chs.get(r.nextInt(chs.size()));
    Channel<Integer> b = chs.get(r.nextInt(chs.size()));
    switch (remote ? 0 : r.nextInt(3)) { // remote channels are no Alt write guards
      case 0 -> a.write(v);
      case 1 -> Alt.select(Alt.write(a, v, () -> 0), Alt.write(b, v, () -> 1));
      default -> {
        // an Alt that also reads: a read it takes is a value it must hand back
        String done = Alt.select(Alt.write(a, v, () -> "w"),
            Alt.after(Duration.ofMillis(r.nextInt(2)), () -> "t"));
        if (done.equals("t")) {
          a.write(v);
        }
      }
    }
  }

  private static Integer read(int how, List<Channel<Integer>> chs, AtomicInteger timeouts) {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    switch (how) {
      case 1:
        return chs.get(r.nextInt(chs.size())).read();
      case 0:
        return Alt.select(Alt.read(chs.get(0), v -> v), Alt.read(chs.get(1), v -> v),
            Alt.read(chs.get(2), v -> v));
      default:
        Supplier<Integer> none = () -> {
          timeouts.incrementAndGet();
          return null;
        };
        return Alt.select(Alt.read(chs.get(r.nextInt(chs.size())), v -> v),
            Alt.after(Duration.ofMillis(1), none));
    }
  }

  private static void joinQuietly(Forked f) {
    try {
      f.join();
    } catch (CancelledException e) {
      // a branch this test cancelled
    }
  }
}
