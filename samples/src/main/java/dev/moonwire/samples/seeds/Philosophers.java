package dev.moonwire.samples.seeds;

import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.sync.Synchronizer;
import dev.moonwire.samples.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Seed 003's dining philosophers, with its three kinds of waiter, each philosopher and each
 * waiter a process in a JVM of its own. A waiter serves its operations rendezvous style: a
 * {@link Synchronizer} holds an invocation until its guard holds, and its trigger is the body
 * of the seed's {@code IN op() st guard -> body}.
 *
 * <ul>
 *   <li>{@code central}: one waiter who knows who eats: {@code getforks(i)} is accepted when
 *       neither neighbour of {@code i} eats.
 *   <li>{@code distributed}: a waiter per fork ({@code getfork}/{@code relfork}); philosophers
 *       take their lower-numbered fork first, so no cycle of waits can form.
 *   <li>{@code decentralized}: a waiter per philosopher; neighbouring waiters pass forks with
 *       {@code needL/needR/passL/passR}, clean and dirty as in the seed (Chandy &amp; Misra).
 * </ul>
 *
 * <p>Philosophers tell the table, synchronously and while holding their forks, when they eat
 * and when they stop: the table checks that neighbours never eat together.
 */
public final class Philosophers implements Samples.Sample {
  @Override
  public String about() {
    return "seed 003: dining philosophers and their waiters   "
        + "[--waiter central|distributed|decentralized --n 5 --seconds 10]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    String kind = options.text("waiter", "central");
    int n = options.integer("n", 5);
    int seconds = options.integer("seconds", 10);
    if (n < 2 || !List.of("central", "distributed", "decentralized").contains(kind)) {
      throw new Samples.Failed("expected --waiter central|distributed|decentralized, --n 2 or more");
    }
    try (RpcProcess table = Rpc.open(RpcConfig.defaults())) {
      boolean[] eating = new boolean[n];
      int[] meals = new int[n];
      List<String> together = new ArrayList<>();
      CountDownLatch done = new CountDownLatch(n);
      // handlers run one at a time: plain arrays
      table.export("eat", a -> {
        int i = a.intAt(0);
        int left = (i + n - 1) % n;
        int right = (i + 1) % n;
        if (eating[left] || eating[right]) {
          together.add(i + " with " + (eating[left] ? left : right));
        }
        eating[i] = true;
        meals[i]++;
        System.out.println("  philosopher " + i + " eats" + (meals[i] > 1 ? "" : " for the first time"));
        return null;
      });
      table.export("think", a -> eating[a.intAt(0)] = false);
      table.export("done", a -> {
        System.out.println("philosopher " + a.intAt(0) + " leaves the table");
        done.countDown();
        return null;
      });

      List<ProcessId> waiters = switch (kind) {
        case "central" -> table.spawn(1, CentralWaiter.class, String.valueOf(n));
        case "distributed" -> table.spawn(n, ForkWaiter.class);
        default -> table.spawn(n, Waiter.class);
      };
      if (kind.equals("decentralized")) { // the seed's Main: who holds which fork, all dirty
        for (int t = 0; t < n; t++) {
          boolean left = t == 0;
          boolean right = t < n - 1;
          table.send(waiters.get(t), "forks", waiters.get((t + n - 1) % n),
              waiters.get((t + 1) % n), left, left, right, right);
        }
      }
      List<ProcessId> philosophers = table.spawn(n, Philosopher.class, kind);
      System.out.println(n + " philosophers and " + waiters.size() + " " + kind + " waiter"
          + (waiters.size() > 1 ? "s" : "") + " spawned; dinner lasts " + seconds + " s");
      for (int i = 0; i < n; i++) {
        table.send(philosophers.get(i), "dine", i, waiters, seconds);
      }

      if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
        throw new Samples.Failed("deadlock? " + done.getCount() + " of " + n
            + " philosophers never left the table; meals " + Arrays.toString(meals));
      }
      if (!together.isEmpty()) { // the latch orders every handler's writes before this
        throw new Samples.Failed("neighbours ate together: " + together);
      }
      int fewest = Arrays.stream(meals).min().orElseThrow();
      if (fewest == 0) {
        throw new Samples.Failed("a philosopher never ate: meals " + Arrays.toString(meals));
      }
      options.report(table);
      return n + " philosophers, " + kind + " waiter: " + Arrays.stream(meals).sum()
          + " meals " + Arrays.toString(meals) + ", neighbours never together, everyone ate, "
          + "no deadlock";
    }
  }

  /** A philosopher: thinks, gets forks from its waiter(s), eats, gives them back. */
  public static final class Philosopher {
    private Philosopher() {}

    public static void main(String[] args) throws Exception {
      String kind = args[0];
      ProcessId table = Rpc.parent().orElseThrow();
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("dine", a -> {
        int i = a.intAt(0);
        @SuppressWarnings("unchecked")
        List<ProcessId> waiters = a.get(1, List.class);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.intAt(2));
        int n = kind.equals("central") ? -1 : waiters.size();
        Random random = new Random(i);
        while (System.nanoTime() < end) {
          switch (kind) {
            case "central" -> p.sync(waiters.get(0), "getforks").call(i);
            case "distributed" -> { // the lower-numbered fork first
              p.sync(waiters.get(Math.min(i, (i + 1) % n)), "getfork").call();
              p.sync(waiters.get(Math.max(i, (i + 1) % n)), "getfork").call();
            }
            default -> p.sync(waiters.get(i), "getforks").call();
          }
          p.sync(table, "eat").call(i);
          p.sleep(Duration.ofMillis(random.nextInt(10))); // eats
          p.sync(table, "think").call(i);
          switch (kind) {
            case "central" -> p.send(waiters.get(0), "relforks", i);
            case "distributed" -> {
              p.send(waiters.get(i), "relfork");
              p.send(waiters.get((i + 1) % n), "relfork");
            }
            default -> p.send(waiters.get(i), "relforks");
          }
          p.sleep(Duration.ofMillis(random.nextInt(10))); // thinks
        }
        p.send(table, "done", i);
        return null;
      });
      new CountDownLatch(1).await(); // until the table stops this JVM
    }
  }

  /** The seed's centralized Waiter: {@code Phil[i]?getforks()} when no neighbour eats. */
  public static final class CentralWaiter {
    private CentralWaiter() {}

    public static void main(String[] args) throws Exception {
      int n = Integer.parseInt(args[0]);
      boolean[] eating = new boolean[n];
      Synchronizer s = Synchronizer.create()
          .addConstraint("waiter", "getforks", req -> {
            int i = req.intAt(0);
            return !eating[(i + n - 1) % n] && !eating[(i + 1) % n];
          })
          .setTrigger("waiter", "getforks", req -> eating[req.intAt(0)] = true)
          .setTrigger("waiter", "relforks", req -> eating[req.intAt(0)] = false);
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("getforks", s.guard("waiter", "getforks", req -> null));
      p.export("relforks", s.guard("waiter", "relforks", req -> null));
      new CountDownLatch(1).await();
    }
  }

  /** The seed's distributed Waiter: one fork; {@code receive getfork(); receive relfork()}. */
  public static final class ForkWaiter {
    private ForkWaiter() {}

    public static void main(String[] args) throws Exception {
      boolean[] taken = {false};
      Synchronizer s = Synchronizer.create()
          .addConstraint("fork", "getfork", req -> !taken[0])
          .setTrigger("fork", "getfork", req -> taken[0] = true)
          .setTrigger("fork", "relfork", req -> taken[0] = false);
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("getfork", s.guard("fork", "getfork", req -> null));
      p.export("relfork", s.guard("fork", "relfork", req -> null));
      new CountDownLatch(1).await();
    }
  }

  /**
   * The seed's decentralized Waiter: one per philosopher, holding its philosopher's left and
   * right forks or not, each clean or dirty. A hungry waiter asks its neighbours for the forks
   * it lacks; a neighbour gives up a fork when it is not eating and the fork is dirty (or it is
   * not hungry), and asks for it back if it is hungry itself.
   */
  public static final class Waiter {
    private ProcessId left;
    private ProcessId right;
    private boolean ready;
    private boolean haveL;
    private boolean dirtyL;
    private boolean haveR;
    private boolean dirtyR;
    private boolean hungry;
    private boolean eating;
    private RpcProcess p;

    public static void main(String[] args) throws Exception {
      new Waiter().serve();
      new CountDownLatch(1).await();
    }

    private void serve() {
      Synchronizer s = Synchronizer.create()
          .setTrigger("waiter", "forks", req -> {
            left = req.get(0, ProcessId.class);
            right = req.get(1, ProcessId.class);
            haveL = req.booleanAt(2);
            dirtyL = req.booleanAt(3);
            haveR = req.booleanAt(4);
            dirtyR = req.booleanAt(5);
            ready = true;
          })
          .addConstraint("waiter", "hungry", req -> ready)
          .setTrigger("waiter", "hungry", req -> {
            hungry = true; // ask for the forks not held
            if (!haveR) {
              p.send(right, "needL");
            }
            if (!haveL) {
              p.send(left, "needR");
            }
          })
          .addConstraint("waiter", "eat", req -> haveL && haveR)
          .setTrigger("waiter", "eat", req -> {
            hungry = false;
            eating = true;
            dirtyL = true;
            dirtyR = true;
          })
          .setTrigger("waiter", "relforks", req -> eating = false)
          .addConstraint("waiter", "passL", req -> ready)
          .setTrigger("waiter", "passL", req -> {
            haveL = true;
            dirtyL = false;
          })
          .addConstraint("waiter", "passR", req -> ready)
          .setTrigger("waiter", "passR", req -> {
            haveR = true;
            dirtyR = false;
          })
          // a neighbour needs my left fork (its right one)
          .addConstraint("waiter", "needL", req -> ready && haveL && !eating
              && (!hungry || dirtyL))
          .setTrigger("waiter", "needL", req -> {
            haveL = false;
            dirtyL = false;
            p.send(left, "passR");
            if (hungry) {
              p.send(left, "needR"); // and I want it back
            }
          })
          .addConstraint("waiter", "needR", req -> ready && haveR && !eating
              && (!hungry || dirtyR))
          .setTrigger("waiter", "needR", req -> {
            haveR = false;
            dirtyR = false;
            p.send(right, "passL");
            if (hungry) {
              p.send(right, "needL");
            }
          });
      p = Rpc.open(RpcConfig.defaults());
      for (String op : List.of("forks", "relforks", "passL", "passR", "needL", "needR")) {
        p.export(op, s.guard("waiter", op, req -> null));
      }
      Handler hungry = s.guard("waiter", "hungry", req -> null);
      Handler eat = s.guard("waiter", "eat", req -> null);
      p.export("getforks", a -> { // the seed's Getforks: send Hungry(); receive Eat()
        hungry.handle(a);
        return eat.handle(a);
      });
    }
  }
}
