package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.Processes;
import dev.moonwire.rpc.runtime.internal.Reply;
import dev.moonwire.rpc.runtime.internal.ReplySink;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread waiting for one outcome. Inside a process's event the wait is a suspension: the
 * baton goes to the process's other events meanwhile, and comes back after the outcome. On any
 * other thread the wait just parks that thread.
 */
final class Waiter implements ReplySink {
  final Thread thread = Thread.currentThread();
  private final BatonScheduler baton;
  private volatile Reply reply;
  // Guarded by the baton's lock when there is a baton.
  volatile boolean ready;
  boolean suspended;

  private Waiter(BatonScheduler baton) {
    this.baton = baton;
  }

  /** A waiter for the calling thread: suspending if it holds its process's baton. */
  static Waiter forCurrentThread() {
    return new Waiter(currentBaton());
  }

  /** The baton the calling thread holds, or null. */
  static BatonScheduler currentBaton() {
    RuntimeProcess p = Processes.current();
    if (p != null && p.scheduler() instanceof BatonScheduler b && b.holdsBaton()) {
      return b;
    }
    return null;
  }

  boolean suspends() {
    return baton != null;
  }

  @Override
  public void complete(Reply r) {
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
  Reply await(Runnable onInterrupt) {
    if (baton != null) {
      baton.suspend(this, onInterrupt);
    } else {
      boolean interrupted = false;
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
}
