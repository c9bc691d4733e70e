package dev.moonwire.csp;

import dev.moonwire.csp.internal.Group;
import dev.moonwire.csp.internal.Launcher;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * Csp.lua's process constructors: {@code Seq}, {@code Par} (and its greedy error mode),
 * {@code Fork}, {@code ParArray}.
 *
 * <pre>{@code
 * Channel<Integer> ch = Channel.create(1);
 * Csp.par(() -> System.out.println(ch.read()), () -> ch.write(42));
 * }</pre>
 *
 * <p><b>Fibers.</b> These static methods run each branch as an event of the <em>current
 * process</em> (the {@code Rpc} facade's rule: the process whose event runs on this thread, or
 * else the single open one): one at a time, switching only at suspension points (channel
 * operations, {@code Alt.select}, {@code Semaphore.down}, sync calls, {@code Rpc.await}), so
 * they share the process's state without locks. Branches start after the events already
 * queued. With no current process they throw {@link IllegalStateException}, pointing to
 * {@link #threads()}.
 *
 * <p><b>Threads.</b> {@link #threads()} has the same constructors on plain virtual threads:
 * branches run in parallel and share only what is safe to share (channels, semaphores).
 *
 * <p><b>Waiting and failures.</b> {@code par} waits (a suspension point inside an event, a
 * blocking wait elsewhere) until every branch has ended, then throws the failure that happened
 * first with the later ones suppressed on it; a checked exception is wrapped in
 * {@link CompletionException}. Cancelling the caller of {@code par} or {@code parGreedy}
 * cancels its branches (each at its next suspension point, or before it starts) and waits for
 * them to end before throwing the {@link dev.moonwire.rpc.CancelledException}.
 */
public final class Csp {
  private Csp() {}

  /** A branch: a process of Csp.lua, run by {@link Csp}'s constructors. */
  @FunctionalInterface
  public interface Branch {
    void run() throws Exception;
  }

  /** A branch of a {@code parArray}/{@code forkArray}, given its index, 0 to n−1. */
  @FunctionalInterface
  public interface IndexedBranch {
    void run(int index) throws Exception;
  }

  /** The largest n of {@link #parArray} and {@link #forkArray}: each branch is an event or a thread. */
  public static final int MAX_ARRAY = Group.MAX_BRANCHES;

  private static final Threads THREADS = new Threads();

  /**
   * Runs {@code branches} in parallel as events of the current process and returns when all
   * have ended; see the class documentation for failures and cancellation.
   *
   * @throws IllegalStateException if no process is current (use {@link #threads()})
   */
  public static void par(Branch... branches) {
    start("Csp.par", false, branches).await(false);
  }

  /**
   * Like {@link #par}, but the first failure cancels the other branches (the seed's greedy
   * {@code Par}): it is thrown once they have ended, their cancellations left out.
   */
  public static void parGreedy(Branch... branches) {
    start("Csp.parGreedy", false, branches).await(true);
  }

  /** Starts {@code branches} as events of the current process and returns at once. */
  public static Forked fork(Branch... branches) {
    return forked(start("Csp.fork", true, branches));
  }

  /**
   * Runs {@code branch(0)} to {@code branch(n-1)} in parallel, as {@link #par} does.
   *
   * @throws IllegalArgumentException if {@code n} is not between 0 and {@link #MAX_ARRAY}
   */
  public static void parArray(int n, IndexedBranch branch) {
    Group.checkSize("Csp.parArray", n);
    startArray("Csp.parArray", Launcher.events("Csp.parArray"), false, n, branch).await(false);
  }

  /**
   * Starts {@code branch(0)} to {@code branch(n-1)} as {@link #fork} does.
   *
   * @throws IllegalArgumentException if {@code n} is not between 0 and {@link #MAX_ARRAY}
   */
  public static Forked forkArray(int n, IndexedBranch branch) {
    Group.checkSize("Csp.forkArray", n);
    return forked(startArray("Csp.forkArray", Launcher.events("Csp.forkArray"), true, n,
        branch));
  }

  /**
   * Runs {@code branches} one after the other on the calling thread; the first failure stops
   * it and is thrown (a checked exception wrapped in {@link CompletionException}).
   */
  public static void seq(Branch... branches) {
    for (Branch b : Objects.requireNonNull(branches, "branches")) {
      Objects.requireNonNull(b, "branch");
    }
    for (Branch b : branches) {
      try {
        b.run();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }
  }

  /** The same constructors on plain virtual threads (Csp.lua's threads). */
  public static Threads threads() {
    return THREADS;
  }

  /**
   * Csp.lua's threads: {@link Csp}'s constructors with each branch on a virtual thread of its
   * own, in parallel. Waits, failures and cancellation are as for {@link Csp}; a failure nobody
   * joins goes to the branch thread's uncaught-exception handler. Needs no process.
   */
  public static final class Threads {
    private Threads() {}

    /** See {@link Csp#par}. */
    public void par(Branch... branches) {
      startOn(Launcher.THREADS, false, branches).await(false);
    }

    /** See {@link Csp#parGreedy}. */
    public void parGreedy(Branch... branches) {
      startOn(Launcher.THREADS, false, branches).await(true);
    }

    /** See {@link Csp#fork}. */
    public Forked fork(Branch... branches) {
      return forked(startOn(Launcher.THREADS, true, branches));
    }

    /** See {@link Csp#parArray}. */
    public void parArray(int n, IndexedBranch branch) {
      startArray("Csp.threads().parArray", Launcher.THREADS, false, n, branch).await(false);
    }

    /** See {@link Csp#forkArray}. */
    public Forked forkArray(int n, IndexedBranch branch) {
      return forked(startArray("Csp.threads().forkArray", Launcher.THREADS, true, n, branch));
    }

    /** See {@link Csp#seq}. */
    public void seq(Branch... branches) {
      Csp.seq(branches);
    }
  }

  private static Group start(String what, boolean forked, Branch[] branches) {
    Objects.requireNonNull(branches, "branches");
    return startOn(Launcher.events(what), forked, branches);
  }

  private static Group startOn(Launcher launcher, boolean forked, Branch[] branches) {
    Branch[] copy = Objects.requireNonNull(branches, "branches").clone();
    for (Branch b : copy) {
      Objects.requireNonNull(b, "branch");
    }
    return Group.start(launcher, forked, copy.length, i -> copy[i].run());
  }

  private static Group startArray(String what, Launcher launcher, boolean forked, int n,
      IndexedBranch branch) {
    Group.checkSize(what, n);
    Objects.requireNonNull(branch, "branch");
    return Group.start(launcher, forked, n, branch::run);
  }

  private static Forked forked(Group g) {
    return new Forked() {
      @Override
      public void join() {
        g.await(false);
      }

      @Override
      public void cancel() {
        g.cancel();
      }

      @Override
      public boolean isDone() {
        return g.isDone();
      }
    };
  }
}
