package dev.moonwire.rpc.runtime.internal.dispatch;

import dev.moonwire.rpc.runtime.internal.transport.Running;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A request this process is running for a peer. A CANCEL (or the request's own deadline) marks
 * it cancelled and, when the handler runs on a thread of its own, interrupts that thread at its
 * suspension point; the handler's late result is then dropped.
 *
 * <p>The interrupt must never reach the <em>next</em> event that reuses the thread. As in
 * {@link java.util.concurrent.FutureTask}, a canceller first claims the request
 * ({@code RUNNING -> INTERRUPTING}), interrupts, then publishes {@code INTERRUPTED}; a request
 * that ends while an interrupt is in progress waits for it to land, then clears it.
 */
public class RunningRequest implements Running { // not final: the dispatcher's admitted request
                                                 // is one, to be one object per request
  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int INTERRUPTING = 2;
  private static final int INTERRUPTED = 3;
  private static final int CANCELLED = 4; // cancelled with no thread to interrupt
  private static final int FINISHED = 5;

  // A field with a VarHandle rather than an AtomicInteger: one object fewer per request.
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(RunningRequest.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through STATE
  private volatile int state = NEW;
  private volatile Thread thread;
  private volatile boolean cancelled;
  /** When the request's deadline passes (System.nanoTime); set before the event can run. */
  public volatile long deadlineAt = Long.MAX_VALUE;

  @Override
  public long deadlineAt() {
    return deadlineAt;
  }
  /** The bytes of the process's inbound budget it holds until it ends. */
  public final long cost;

  public RunningRequest(long cost) {
    this.cost = cost;
  }

  public RunningRequest() {
    this(0);
  }

  /** The handler starts on {@code t}; interrupts it at once if a cancel came first. */
  public final void started(Thread t) {
    thread = t;
    if (!STATE.compareAndSet(this, NEW, RUNNING)) {
      t.interrupt(); // cancelled before it started: its first suspension point throws
    }
  }

  /**
   * The handler has ended on the calling thread. Returns once no interrupt of this request can
   * still reach the thread, with the thread's interrupt status cleared.
   */
  public final void finished() {
    if (!STATE.compareAndSet(this, RUNNING, FINISHED)) {
      while (state == INTERRUPTING) {
        Thread.onSpinWait(); // a canceller read the thread and is about to interrupt it
      }
      state = FINISHED;
    }
    thread = null;
    Thread.interrupted();
  }

  /** Cancels the request, from any thread; harmless once it has finished. */
  @Override
  public final void cancel() {
    cancelled = true;
    if (STATE.compareAndSet(this, NEW, CANCELLED)) {
      return;
    }
    if (STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
      try {
        Thread t = thread;
        if (t != null) {
          t.interrupt();
        }
      } finally {
        state = INTERRUPTED;
      }
    }
  }

  public final boolean cancelled() {
    return cancelled;
  }
}
