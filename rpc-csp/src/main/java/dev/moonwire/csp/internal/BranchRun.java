package dev.moonwire.csp.internal;

import dev.moonwire.rpc.CancelledException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One branch of a Par or Fork, as an event (or a virtual thread) of its own. Cancelling it
 * interrupts its thread, so its next suspension point throws {@link CancelledException}; a
 * branch not started yet never starts. As in {@link java.util.concurrent.FutureTask}, the
 * canceller claims the branch ({@code RUNNING -> INTERRUPTING}) before it interrupts, and a
 * branch that ends meanwhile waits for that interrupt to land and clears it: it never reaches
 * the next event that reuses the thread.
 */
final class BranchRun implements Runnable {
  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int INTERRUPTING = 2;
  private static final int INTERRUPTED = 3;
  private static final int CANCELLED = 4;
  private static final int DONE = 5;

  private final Group group;
  private final Group.Body body;
  private final int index;
  private final AtomicInteger state = new AtomicInteger(NEW);
  private volatile Thread thread;
  volatile boolean cancelled;

  BranchRun(Group group, Group.Body body, int index) {
    this.group = group;
    this.body = body;
    this.index = index;
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    if (!state.compareAndSet(NEW, RUNNING)) {
      thread = null;
      group.ended(this, new CancelledException("the branch was cancelled before it started"));
      return;
    }
    Throwable failure = null;
    try {
      body.run(index);
    } catch (Throwable t) {
      failure = t;
    }
    if (!state.compareAndSet(RUNNING, DONE)) {
      while (state.get() == INTERRUPTING) {
        Thread.onSpinWait(); // a canceller read the thread and is about to interrupt it
      }
      state.set(DONE);
    }
    thread = null;
    Thread.interrupted();
    group.ended(this, failure);
  }

  /** Cancels the branch, from any thread; harmless once it has ended. */
  void cancel() {
    cancelled = true;
    if (state.compareAndSet(NEW, CANCELLED)) {
      return;
    }
    if (state.compareAndSet(RUNNING, INTERRUPTING)) {
      try {
        Thread t = thread;
        if (t != null) {
          t.interrupt();
        }
      } finally {
        state.set(INTERRUPTED);
      }
    }
  }
}
