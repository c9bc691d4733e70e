package dev.moonwire.samples.csp;

import dev.moonwire.csp.Channel;
import dev.moonwire.csp.ChannelClosedException;
import dev.moonwire.csp.Channels;
import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A producer writes {@code --n} values into a channel it owns; consumers in JVMs of their own
 * read them through a remote channel, and one of them is SIGKILLed mid-stream with a value on
 * its way to it. The remote channel's promise: a value its owner handed to a reader that died
 * before acknowledging it is given back to the channel (so delivery is at-least-once across a
 * reader's death), and every other value is read exactly once.
 *
 * <p>Each consumer reports every value to the producer's process with a synchronous call
 * before it reads the next, so the producer learns every value a consumer acknowledged —
 * except one it acknowledged and had not yet reported when killed. A kill at a random moment
 * could land in that gap and the check would have to allow one missing value; instead the
 * kill is placed so that no consumer ever holds an acknowledged value it has not reported:
 * <ol>
 *   <li>the producer writes the first half and waits until all of it was reported (nobody
 *       holds a value now), then until consumer 0's next read waits at the owner;
 *   <li>it freezes consumer 0 with SIGSTOP (its connection stays up: nothing tells the owner)
 *       and writes the second half; the owner hands one value to the frozen reader's waiting
 *       read — lent, not acknowledged, as the reply never reaches a reader that runs;
 *   <li>it SIGKILLs consumer 0. About a second later the owner asks the dead reader about the
 *       loan, finds it gone, and gives the value back to the head of the channel, where a live
 *       consumer reads it.
 * </ol>
 * Checked: every value reported at least once, and none twice by live consumers (the killed
 * one's reports count too: a value it reported that a live one read again is allowed —
 * at-least-once — and printed; here there should be none). What the owner did is watched with
 * the process's {@link RpcObserver}, which sees calls but not values: consumer 0's read waiting,
 * then answered while it was frozen (the loan), and the owner's calls to the dead reader — it
 * makes no others than its loan questions — that found it gone, each giving a value back. The
 * channel is closed only once every value was reported: a value given back after a close
 * finds readers that already saw the channel end.
 */
public final class ProducerConsumer implements Samples.Sample {
  /** The functions consumers call on the producer's process: not channel operations. */
  private static final Set<String> REPORTS = Set.of("got", "done");

  @Override
  public String about() {
    return "a channel read by consumers in 3 JVMs, one SIGKILLed mid-stream: nothing lost   "
        + "[--n 2000 --consumers 3 --depth 16]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int n = options.integer("n", 2000);
    int consumers = options.integer("consumers", 3);
    int depth = options.integer("depth", 16);
    if (consumers < 2 || n < 4 * consumers || depth < 0) {
      throw new Samples.Failed("--n " + n + " --consumers " + consumers + " --depth " + depth
          + " (expected: consumers >= 2, n >= 4 * consumers, depth >= 0)");
    }
    int half = n / 2;
    Tally tally = new Tally(n, half, consumers);
    DeadReaderWatch watch = new DeadReaderWatch();
    try (RpcProcess main = Rpc.open(RpcConfig.defaults().withObserver(watch))) {
      Channel<Integer> values = Channel.create(depth);
      Channels.export(main, "values", values, Integer.class);
      main.export("got", a -> {
        tally.got(a.expect(2).intAt(0), a.intAt(1));
        return null;
      });
      main.export("done", a -> {
        tally.done();
        return null;
      });
      List<ProcessId> ids = main.spawn(consumers, Consumer.class);
      System.out.println(consumers + " consumers spawned: " + ids);
      ProcessId victim = ids.get(0);
      long pid = main.sync(victim, "pid").call();
      watch.watch(victim);

      for (int v = 0; v < half; v++) {
        values.write(v);
      }
      within(tally.firstHalf, "the first " + half + " values reported", main, tally);
      if (!watch.awaitWaitingRead(TimeUnit.SECONDS.toNanos(10))) {
        throw new Samples.Failed("consumer 0 did not come back to read");
      }
      watch.frozen = true; // before the signal: its read waits, and nothing is there to take
      signal("STOP", pid);
      System.out.println("wrote 0.." + (half - 1) + ", all read and reported; consumer 0 (pid "
          + pid + ") frozen by SIGSTOP while its read waits at the owner");

      Thread secondHalf = Thread.ofVirtual().start(() -> {
        for (int v = half; v < n; v++) {
          values.write(v);
        }
      });
      if (!watch.awaitLent(TimeUnit.SECONDS.toNanos(10))) {
        throw new Samples.Failed("the frozen consumer's read was never handed a value");
      }
      watch.killed = true;
      ProcessHandle victimJvm = ProcessHandle.of(pid).orElseThrow(
          () -> new Samples.Failed("consumer 0's JVM (pid " + pid + ") is gone already"));
      victimJvm.destroyForcibly();
      victimJvm.onExit().get(10, TimeUnit.SECONDS);
      System.out.println("the owner handed consumer 0's waiting read a value it cannot "
          + "acknowledge: SIGKILLed it");
      if (!secondHalf.join(Duration.ofSeconds(30))) {
        throw new Samples.Failed("the producer could not write " + half + ".." + (n - 1));
      }
      System.out.println("wrote " + half + ".." + (n - 1));
      within(tally.all, "all " + n + " values reported", main, tally);
      values.close(); // only now: a value given back after a close would find readers gone
      within(tally.liveDone, "the live consumers' ends", main, tally);

      Tally.Summary s = main.submit(tally::summary).get(10, TimeUnit.SECONDS);
      for (int c = 0; c < consumers; c++) {
        System.out.println("  consumer " + c + (c == 0 ? " (killed)" : "") + " read "
            + s.perConsumer().get(c));
      }
      System.out.println("the owner asked the dead reader about values on loan "
          + watch.asked.get() + " time(s) and found it gone " + watch.foundGone.get()
          + " time(s), each time giving the value back");
      if (!s.missing().isEmpty()) {
        throw new Samples.Failed(s.missing().size() + " values never read: "
            + first(s.missing()));
      }
      if (!s.twiceLive().isEmpty()) {
        throw new Samples.Failed(s.twiceLive().size() + " values read twice by live readers: "
            + first(s.twiceLive()));
      }
      options.report(main);
      return n + " values each read at least once and none twice by a live reader (consumer 0 "
          + "read " + s.perConsumer().get(0) + " before its SIGKILL; " + s.acrossDeath().size()
          + " of those read again after it); the value lent to it as it died was given back"
          + " (the owner found it gone " + watch.foundGone.get() + " time(s)) and read by "
          + "another";
    }
  }

  private static void within(CompletableFuture<Void> milestone, String what, RpcProcess main,
      Tally tally) throws Exception {
    try {
      milestone.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      Tally.Summary s = main.submit(tally::summary).get(10, TimeUnit.SECONDS);
      throw new Samples.Failed("waited 30 s in vain for " + what + "; never read so far: "
          + first(s.missing()));
    }
  }

  private static String first(List<Integer> values) {
    return values.size() <= 10 ? values.toString()
        : values.subList(0, 10) + " and " + (values.size() - 10) + " more";
  }

  /** What the consumers reported: touched by events of the producer's process only. */
  private static final class Tally {
    private final int n;
    private final int half;
    /** Value → the consumers that reported it, in order. */
    private final Map<Integer, List<Integer>> readBy = new HashMap<>();
    private final int[] perConsumer;
    private int liveToEnd;
    /** Completed when the first half of the values, all of them, and every live end are in. */
    final CompletableFuture<Void> firstHalf = new CompletableFuture<>();
    final CompletableFuture<Void> all = new CompletableFuture<>();
    final CompletableFuture<Void> liveDone = new CompletableFuture<>();

    Tally(int n, int half, int consumers) {
      this.n = n;
      this.half = half;
      this.perConsumer = new int[consumers];
      this.liveToEnd = consumers - 1;
    }

    void got(int consumer, int value) {
      if (consumer < 0 || consumer >= perConsumer.length || value < 0 || value >= n) {
        throw new BadArgumentsException("consumer " + consumer + " reported " + value
            + " (expected: a consumer < " + perConsumer.length + ", a value < " + n + ")");
      }
      perConsumer[consumer]++;
      List<Integer> by = readBy.computeIfAbsent(value, k -> new ArrayList<>(1));
      by.add(consumer);
      if (by.size() == 1) { // a value read for the first time
        if (readBy.size() == half) {
          firstHalf.complete(null);
        }
        if (readBy.size() == n) {
          all.complete(null);
        }
      }
    }

    void done() {
      if (--liveToEnd == 0) {
        liveDone.complete(null);
      }
    }

    record Summary(List<Integer> perConsumer, List<Integer> missing, List<Integer> twiceLive,
        List<Integer> acrossDeath) {}

    Summary summary() {
      List<Integer> missing = new ArrayList<>();
      List<Integer> twiceLive = new ArrayList<>();
      List<Integer> acrossDeath = new ArrayList<>();
      for (int v = 0; v < n; v++) {
        List<Integer> by = readBy.getOrDefault(v, List.of());
        long live = by.stream().filter(c -> c != 0).count();
        if (by.isEmpty()) {
          missing.add(v);
        } else if (live > 1) {
          twiceLive.add(v);
        } else if (live == 1 && by.contains(0)) {
          acrossDeath.add(v);
        }
      }
      return new Summary(Arrays.stream(perConsumer).boxed().toList(), missing, twiceLive,
          acrossDeath);
    }
  }

  /**
   * What the producer's process sees of consumer 0, through its observer: called on I/O and
   * event threads, so its state is atomic or guarded by this.
   */
  private static final class DeadReaderWatch implements RpcObserver {
    private volatile ProcessId victim;
    /** Set once consumer 0 is frozen: a read of its answered after this has a value on loan. */
    volatile boolean frozen;
    volatile boolean killed;
    /** Consumer 0's channel operations in progress here (its reads); guarded by this. */
    private int waiting;
    /** Consumer 0's reads answered with a value while it was frozen; guarded by this. */
    private int lent;
    final AtomicInteger asked = new AtomicInteger();
    final AtomicInteger foundGone = new AtomicInteger();

    void watch(ProcessId consumer) {
      victim = consumer;
    }

    @Override
    public Call serverCall(ProcessId peer, String function, CallHeaders headers) {
      if (!peer.equals(victim) || REPORTS.contains(function)) {
        return null;
      }
      synchronized (this) {
        waiting++;
        notifyAll();
      }
      return (outcome, nanos, bytesOut, bytesIn) -> {
        synchronized (this) {
          waiting--;
          if (frozen && outcome == null) {
            lent++;
            notifyAll();
          }
        }
      };
    }

    /** The owner's calls to the dead reader: it makes no others than its loan questions. */
    @Override
    public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
      if (!killed || !peer.equals(victim)) {
        return null;
      }
      asked.incrementAndGet();
      return (outcome, nanos, bytesOut, bytesIn) -> {
        if (outcome == RpcException.Kind.PEER_UNAVAILABLE) {
          foundGone.incrementAndGet();
        }
      };
    }

    /** Waits until one of consumer 0's reads waits here; false if none did in time. */
    synchronized boolean awaitWaitingRead(long nanos) throws InterruptedException {
      return awaitUntil(() -> waiting > 0, nanos);
    }

    /** Waits until the owner answered a read of frozen consumer 0 with a value. */
    synchronized boolean awaitLent(long nanos) throws InterruptedException {
      return awaitUntil(() -> lent > 0, nanos);
    }

    private boolean awaitUntil(java.util.function.BooleanSupplier done, long nanos)
        throws InterruptedException {
      long until = System.nanoTime() + nanos;
      while (!done.getAsBoolean()) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid))
        .redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new Samples.Failed("kill -" + signal + " " + pid + " failed");
    }
  }

  /**
   * A consumer: reads values until the channel is closed, reporting each with a synchronous
   * call before it reads the next.
   */
  public static final class Consumer {
    private Consumer() {}

    public static void main(String[] args) throws Exception {
      ProcessId producer = Rpc.parent().orElseThrow();
      int index = Integer.getInteger("moonwire.spawn.index");
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("pid", a -> ProcessHandle.current().pid());
      Channel<Integer> values = Channels.remote(p, producer, "values", Integer.class);
      try {
        while (true) {
          int v = values.read();
          p.sync(producer, "got").call(index, v);
        }
      } catch (ChannelClosedException end) {
        p.sync(producer, "done").call(index);
      }
      new CountDownLatch(1).await(); // until the producer stops this JVM
    }
  }
}
