package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.call.Reply;
import dev.moonwire.rpc.runtime.internal.call.ReplySink;

import dev.moonwire.rpc.runtime.internal.Processes;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread waiting for one outcome. Inside a process's event the wait is a suspension: the
 * baton goes to the process's other events meanwhile, and comes back after the outcome. On any
 * other thread the wait just parks that thread.
 */
public final class Waiter implements ReplySink {
  final Thread thread = Thread.currentThread();
  private final BatonScheduler baton;
  private volatile Reply reply;
  @SuppressWarnings("UnusedVariable") // read and written through COMPLETED only
  private volatile int completed; // 0 then 1: the first completion wins
  private static final java.lang.invoke.VarHandle COMPLETED;

  static {
    try {
      COMPLETED = java.lang.invoke.MethodHandles.lookup()
          .findVarHandle(Waiter.class, "completed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
  // Guarded by the baton's lock when there is a baton.
  volatile boolean ready;
  boolean suspended;
  private boolean interrupted;

  private Waiter(BatonScheduler baton) {
    this.baton = baton;
  }

  /** A waiter for the calling thread: suspending if it holds its process's baton. */
  public static Waiter forCurrentThread() {
    return new Waiter(currentBaton());
  }

  /** True if the calling thread runs an event of a process and holds its baton. */
  public static boolean onBaton() {
    return currentBaton() != null;
  }

  /** The baton the calling thread holds, or null. */
  static BatonScheduler currentBaton() {
    RuntimeProcess p = Processes.current();
    if (p != null && p.scheduler() instanceof BatonScheduler b && b.holdsBaton()) {
      return b;
    }
    return null;
  }

  /** The thread that waits. */
  public Thread thread() {
    return thread;
  }

  /** Ends the wait, from any thread; only the first call counts. */
  @Override
  public void complete(Reply r) {
    if (!COMPLETED.compareAndSet(this, 0, 1)) {
      return;
    }
    reply = r;
    if (baton != null) {
      baton.resume(this);
    } else {
      ready = true;
      LockSupport.unpark(thread);
    }
  }

  /**
   * Waits for the outcome. {@code onInterrupt} runs once if the thread is interrupted while
   * waiting; it must make the outcome arrive (cancel the call, fire the timer early).
   */
  public Reply await(Runnable onInterrupt) {
    if (baton != null) {
      interrupted = baton.suspend(this, onInterrupt);
    } else {
      while (!ready) {
        LockSupport.park(this);
        if (Thread.interrupted() && !interrupted) {
          interrupted = true;
          onInterrupt.run();
        }
      }
      if (interrupted) {
        thread.interrupt(); // a platform thread keeps its interrupt status
      }
    }
    return reply;
  }

  /**
   * True if the thread was interrupted (its request cancelled) during {@link #await}. Inside an
   * event the interrupt status is then clear: the caller must act on it, typically by throwing
   * {@code CancelledException}.
   */
  public boolean interrupted() {
    return interrupted;
  }

  /**
   * Forbids suspension on the calling thread until {@link #allowSuspension} — around user code
   * that must not suspend (a synchronizer's constraints and triggers, a monitor's conditions):
   * a suspension point reached meanwhile throws {@link IllegalStateException} with
   * {@code why}. Returns what to pass to {@code allowSuspension}.
   */
  public static String forbidSuspension(String why) {
    BatonScheduler b = currentBaton();
    if (b == null) {
      return null;
    }
    String before = b.noSuspension;
    b.noSuspension = why;
    return before;
  }

  /** Ends {@link #forbidSuspension}, restoring what it returned. */
  public static void allowSuspension(String before) {
    BatonScheduler b = currentBaton();
    if (b != null) {
      b.noSuspension = before;
    }
  }
}
