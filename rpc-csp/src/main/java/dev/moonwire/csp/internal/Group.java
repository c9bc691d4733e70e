package dev.moonwire.csp.internal;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Rpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The branches of one Par, ParArray or Fork: starts them, learns how each ended (failures in
 * the order they happened), and waits for them — a suspension point, like every wait here.
 */
public final class Group {
  /** A branch's code, given its index (Par's branches are told apart by it). */
  public interface Body {
    void run(int index) throws Exception;
  }

  /** The largest {@code parArray}/{@code forkArray}: each branch is an event or a thread. */
  public static final int MAX_BRANCHES = 65_536;

  private final Launcher launcher;
  private final List<BranchRun> runs = new ArrayList<>();
  private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();
  private final CompletableFuture<Void> allEnded = new CompletableFuture<>();
  private final CompletableFuture<Void> failedOrEnded = new CompletableFuture<>();
  private final boolean forked;
  private volatile boolean joined;

  private Group(Launcher launcher, boolean forked) {
    this.launcher = launcher;
    this.forked = forked;
  }

  /** Starts {@code n} branches running {@code body(0..n-1)}. */
  public static Group start(Launcher launcher, boolean forked, int n, Body body) {
    Group g = new Group(launcher, forked);
    for (int i = 0; i < n; i++) {
      g.runs.add(new BranchRun(g, body, i));
    }
    g.running.set(n);
    if (n == 0) {
      g.allEnded.complete(null);
      g.failedOrEnded.complete(null);
    }
    for (int i = 0; i < n; i++) {
      try {
        launcher.start(g.runs.get(i));
      } catch (RuntimeException e) {
        g.cancel();
        throw e;
      }
    }
    return g;
  }

  /** Checks a ParArray's size. */
  public static void checkSize(String what, int n) {
    if (n < 0 || n > MAX_BRANCHES) {
      throw new IllegalArgumentException(what + " : " + n + " branches (expected: 0 to "
          + MAX_BRANCHES + ")");
    }
  }

  void ended(BranchRun run, Throwable failure) {
    if (failure != null) {
      boolean ours = run.cancelled && failure instanceof CancelledException;
      if (!ours) {
        failures.add(failure);
        failedOrEnded.complete(null);
      }
      if (forked && !joined && !ours) {
        launcher.report(failure);
      }
    }
    if (running.decrementAndGet() == 0) {
      allEnded.complete(null);
      failedOrEnded.complete(null);
    }
  }

  /** Cancels every branch still running or not started. */
  public void cancel() {
    for (BranchRun r : runs) {
      r.cancel();
    }
  }

  public boolean isDone() {
    return allEnded.isDone();
  }

  /**
   * Waits for the branches: all of them, or (greedy) until the first fails, then cancels the
   * rest and waits for them to end. Throws the first failure, the later ones suppressed on it.
   * If the waiting caller is cancelled, its branches are cancelled and waited for, and the
   * cancellation is thrown.
   */
  public void await(boolean greedy) {
    joined = true;
    try {
      Rpc.await(greedy ? failedOrEnded : allEnded);
    } catch (RuntimeException | Error e) {
      cancel();
      try {
        Rpc.await(allEnded);
      } catch (RuntimeException | Error again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    if (!allEnded.isDone()) {
      cancel();
      Rpc.await(allEnded);
    }
    Throwable first = failures.peek();
    if (first == null) {
      return;
    }
    RuntimeException thrown = first instanceof RuntimeException r ? r
        : first instanceof Error ? null : new CompletionException(first);
    Throwable head = thrown != null ? thrown : first;
    for (Throwable t : failures) {
      if (t != first) {
        head.addSuppressed(t);
      }
    }
    if (first instanceof Error err) {
      throw err;
    }
    throw thrown;
  }
}
