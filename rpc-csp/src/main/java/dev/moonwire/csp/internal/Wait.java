package dev.moonwire.csp.internal;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Rpc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import dev.moonwire.rpc.spi.RpcProvider;
import java.util.Comparator;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;

/**
 * One blocked operation — a read, a write, a {@code down}, or a whole {@code Alt} — waiting to
 * be committed. Its nodes wait in the queues of one or more channels; whoever wants to hand it a
 * value (or close a channel under it) must first win {@link #tryCommit}, so exactly one of its
 * nodes is ever served, however many parties race for it. The owner withdraws with the same
 * cell ({@link #CANCELLED}, {@link #TIMED_OUT}).
 *
 * <p>The wait itself is {@code Rpc.await} on a future: a suspension point inside an event, a
 * blocking wait elsewhere, cancellable either way.
 */
public final class Wait {
  static final int WAITING = -1;
  static final int CANCELLED = -2;
  static final int TIMED_OUT = -3;

  private static final VarHandle STATE;
  private static final VarHandle DONE;
  /** In {@link #done} once the wait was woken: a waiter that comes later need not park. */
  private static final CompletableFuture<Void> WOKEN = CompletableFuture.completedFuture(null);

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Wait.class, "state", int.class);
      DONE = MethodHandles.lookup().findVarHandle(Wait.class, "done", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through STATE
  private volatile int state = WAITING;
  /**
   * Null until the waiter parks (its future) or the wait is woken ({@link #WOKEN}), whichever
   * comes first: a hand-off that completes while the waiter spins allocates no future.
   */
  @SuppressWarnings("unused") // through DONE
  private volatile CompletableFuture<Void> done;

  /** Claims the wait for its node {@code index}; the caller must then {@link #wake} it. */
  boolean tryCommit(int index) {
    return STATE.compareAndSet(this, WAITING, index);
  }

  /** Ends the wait early (a timer's {@link #TIMED_OUT}), if nobody committed it first. */
  boolean tryEnd(int outcome) {
    if (STATE.compareAndSet(this, WAITING, outcome)) {
      wake();
      return true;
    }
    return false;
  }

  /** Wakes the owner after a successful {@link #tryCommit}. */
  @SuppressWarnings("unchecked")
  void wake() {
    CompletableFuture<Void> parked = (CompletableFuture<Void>) DONE.getAndSet(this, WOKEN);
    if (parked != null) {
      parked.complete(null);
    }
  }

  /** The future to park on, or {@link #WOKEN} if the wait was woken already. */
  private CompletableFuture<Void> parkOn() {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    return DONE.compareAndSet(this, null, mine) ? mine : WOKEN;
  }

  int state() {
    return state;
  }

  /**
   * Waits until committed or timed out, then withdraws every node but the committed one.
   * Returns the committed node's index, or {@link #TIMED_OUT}.
   *
   * @param nodes the owner's nodes by index (null where an index has none)
   * @throws CancelledException if the wait was cancelled before anyone committed it; all nodes
   *     are withdrawn
   */
  int await(Node[] nodes) {
    try {
      if (!spinUntilDone()) {
        Rpc.await(parkOn());
      }
    } catch (RuntimeException | Error e) {
      if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
        withdraw(nodes, CANCELLED);
        throw e;
      }
      // Committed at the very moment of the cancellation: the operation happened (dropping it
      // would lose or double a value). The cancellation waits for the next suspension point.
      if (e instanceof CancelledException) {
        Thread.currentThread().interrupt();
      }
      int s = state;
      if (s >= 0) {
        // The committer writes the node under its queue's lock, after its CAS: take that lock
        // once to see what it wrote.
        var lock = nodes[s].queue.lock();
        lock.lock();
        try {
          // nothing to do under it: taken only for what its release published
        } finally {
          lock.unlock();
        }
      }
    }
    int s = state;
    withdraw(nodes, s);
    return s;
  }

  /**
   * Off the process's events, spins a moment before parking: a hand-off usually comes within
   * a microsecond when the other party runs on another core, and parking and waking a thread
   * costs more than that (the JDK's {@code SynchronousQueue} does the same). Inside an event it
   * never spins: the process has other events to run.
   */
  private boolean spinUntilDone() {
    if (SPINS == 0 || PROVIDER.current() != null) {
      return false;
    }
    for (int i = 0; i < SPINS; i++) {
      if (done == WOKEN) {
        return true;
      }
      Thread.onSpinWait();
    }
    if (Thread.currentThread().isVirtual()) {
      yieldCarrier();
    }
    return done == WOKEN;
  }

  /**
   * Lets the other party run on this carrier if it waits for one: cheaper than parking. Not a
   * correctness matter (the wait parks right after), only a measured speed-up (CspBench).
   */
  @SuppressWarnings("ThreadPriorityCheck")
  private static void yieldCarrier() {
    Thread.yield();
  }

  private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 256 : 0;
  private static final RpcProvider PROVIDER = ServiceLoader.load(RpcProvider.class).stream()
      .map(ServiceLoader.Provider::get)
      .max(Comparator.comparingInt(RpcProvider::priority))
      .orElseThrow(() -> new IllegalStateException(
          "no Moonwire runtime found: put rpc-runtime (or rpc-sync) on the class path"));

  private static void withdraw(Node[] nodes, int except) {
    for (int i = 0; i < nodes.length; i++) {
      Node n = nodes[i];
      if (n != null && i != except) {
        n.queue.withdraw(n);
      }
    }
  }
}
