package dev.moonwire.samples.csp;

import dev.moonwire.csp.Channel;
import dev.moonwire.csp.Channels;
import dev.moonwire.csp.Csp;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.Samples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The prime sieve as a pipeline of filter processes joined by channels — after the sieve in
 * Hoare's 1978 CSP paper, which has one process per prime; here a stage holds a run of primes —
 * each stage a process in a JVM of its own, the channels between them remote channels:
 * <pre>
 *   main ──numbers──▶ stage 0 ──numbers──▶ stage 1 ──numbers──▶ stage 2
 *     ▲                  │                    │                    │
 *     └──────────────────┴───────primes───────┴────────────────────┘
 * </pre>
 * Each stage owns its input channel {@code numbers} and holds up to {@code --room} primes as
 * filters (the last stage as many as come). Numbers arrive in increasing order, so one that
 * passes every filter of a stage with room left is prime — all smaller primes are held by this
 * stage or the ones before — and the stage keeps it and writes it to the main process's
 * channel {@code primes}; a stage that is full forwards it to the next. The main process writes
 * 2..n into stage 0 and then an end marker (-1), which each stage passes on and answers with
 * its own marker on {@code primes}, after its primes (one writer's values keep their order).
 *
 * <p>Stages learn their wiring from the main process: each calls {@code wiring(index)}, whose
 * handler waits until the spawn returned the stages' ids. The sample checks that the primes
 * read are exactly those of a plain sieve of Eratosthenes, and that the stages hold them in
 * order: stage i the i-th run of {@code --room} primes.
 */
public final class Sieve implements Samples.Sample {
  private static final int END = -1;

  @Override
  public String about() {
    return "a prime sieve: filter stages in 3 JVMs joined by remote channels   "
        + "[--n 1000 --stages 3 --room 16]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int n = options.integer("n", 1000);
    int stages = options.integer("stages", 3);
    int room = options.integer("room", 16);
    if (n < 2 || stages < 1 || room < 1) {
      throw new Samples.Failed("--n " + n + " --stages " + stages + " --room " + room
          + " (expected: n >= 2, stages >= 1, room >= 1)");
    }
    try (RpcProcess main = Rpc.open(RpcConfig.defaults())) {
      Channel<Integer> primes = Channel.create(64);
      Channels.export(main, "primes", primes, Integer.class);
      CompletableFuture<List<ProcessId>> spawned = new CompletableFuture<>();
      CountDownLatch wired = new CountDownLatch(stages);
      main.export("wiring", a -> {
        int index = a.expect(1).intAt(0);
        List<ProcessId> ids = main.await(spawned); // a suspension point: the spawn goes on
        wired.countDown(); // this stage exported its channel before it asked
        return new Object[] {index + 1 < stages ? ids.get(index + 1) : null, room};
      });
      List<ProcessId> ids = main.spawn(stages, Stage.class);
      spawned.complete(ids);
      if (!wired.await(30, TimeUnit.SECONDS)) {
        throw new Samples.Failed((stages - wired.getCount()) + " of " + stages
            + " stages asked for their wiring");
      }
      System.out.println(stages + " stages spawned: " + ids);
      long start = System.nanoTime();

      List<Integer> found = main.submit(() -> {
        List<Integer> got = new ArrayList<>();
        Channel<Integer> first = Channels.remote(main, ids.get(0), "numbers", Integer.class);
        Csp.par( // two fibers of the main process: the feeder and the collector
            () -> {
              for (int x = 2; x <= n; x++) {
                first.write(x);
              }
              first.write(END);
            },
            () -> {
              for (int markers = 0; markers < stages; ) {
                int v = primes.read();
                if (v < 0) {
                  markers++; // a stage has sent all its primes
                } else {
                  got.add(v);
                }
              }
            });
        return got;
      }).get(60, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - start) / 1_000_000;

      List<Integer> expected = plainSieve(n);
      List<Integer> sorted = new ArrayList<>(found);
      sorted.sort(null);
      if (!sorted.equals(expected)) {
        throw new Samples.Failed("the pipeline found " + found.size() + " primes, a plain sieve "
            + expected.size() + "; " + difference(sorted, expected));
      }
      int from = 0;
      for (int i = 0; i < stages; i++) {
        int[] held = main.sync(ids.get(i), "held").call();
        int count = i + 1 < stages ? Math.min(room, expected.size() - from)
            : expected.size() - from;
        int[] should = expected.subList(from, from + count).stream().mapToInt(x -> x).toArray();
        System.out.println("  stage " + i + " holds " + held.length + " primes"
            + (held.length == 0 ? "" : ": " + held[0] + " .. " + held[held.length - 1]));
        if (!Arrays.equals(held, should)) {
          throw new Samples.Failed("stage " + i + " holds " + Arrays.toString(held)
              + " (expected: " + Arrays.toString(should) + ")");
        }
        from += count;
      }
      options.report(main);
      return expected.size() + " primes <= " + n + " through " + stages + " stage JVMs in "
          + millis + " ms, the same as a plain sieve's (last: " + expected.get(expected.size() - 1)
          + "); each stage held its run of " + room + " filters";
    }
  }

  private static List<Integer> plainSieve(int n) {
    boolean[] composite = new boolean[n + 1];
    List<Integer> primes = new ArrayList<>();
    for (int i = 2; i <= n; i++) {
      if (!composite[i]) {
        primes.add(i);
        for (long j = (long) i * i; j <= n; j += i) {
          composite[(int) j] = true;
        }
      }
    }
    return primes;
  }

  private static String difference(List<Integer> got, List<Integer> expected) {
    List<Integer> missing = new ArrayList<>(expected);
    missing.removeAll(got);
    List<Integer> extra = new ArrayList<>(got);
    extra.removeAll(expected);
    return "missing " + missing.subList(0, Math.min(10, missing.size())) + ", not primes or "
        + "twice " + extra.subList(0, Math.min(10, extra.size()));
  }

  /**
   * One filter stage: owns its input channel {@code numbers}, asks the main process for the
   * next stage and its room, then filters as an event of its process, so that {@code held}
   * (read by the main process at the end) is touched by its events only.
   */
  public static final class Stage {
    private Stage() {}

    public static void main(String[] args) throws Exception {
      ProcessId parent = Rpc.parent().orElseThrow();
      int index = Integer.getInteger("moonwire.spawn.index");
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      Channel<Integer> in = Channel.create(32);
      Channels.export(p, "numbers", in, Integer.class);
      List<Integer> held = new ArrayList<>();
      p.export("held", a -> held.stream().mapToInt(x -> x).toArray());
      Object[] wiring = p.sync(parent, "wiring").call(index);
      ProcessId next = (ProcessId) wiring[0];
      int room = (Integer) wiring[1];
      p.submit(() -> {
        Channel<Integer> out = next == null ? null
            : Channels.remote(p, next, "numbers", Integer.class);
        Channel<Integer> primes = Channels.remote(p, parent, "primes", Integer.class);
        for (int x; (x = in.read()) != END; ) {
          if (passes(x, held)) {
            if (out == null || held.size() < room) {
              held.add(x);
              primes.write(x);
            } else {
              out.write(x);
            }
          }
        }
        if (out != null) {
          out.write(END);
        }
        primes.write(-(index + 1)); // after this stage's primes: the main process counts these
        return null;
      }).exceptionally(e -> { // the main process then waits in vain: say why here
        System.out.println("  stage " + index + " failed: " + e);
        return null;
      });
      new CountDownLatch(1).await(); // until the main process stops this JVM
    }

    private static boolean passes(int x, List<Integer> filters) {
      for (int f : filters) {
        if (x % f == 0) {
          return false;
        }
      }
      return true;
    }
  }
}
