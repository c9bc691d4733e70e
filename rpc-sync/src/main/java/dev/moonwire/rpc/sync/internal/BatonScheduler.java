package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.transport.EventClock;
import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;

import dev.moonwire.rpc.runtime.internal.Processes;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's events on virtual threads, with a baton that lets exactly one of them run.
 *
 * <p>The run-queue holds, in arrival order, new events and suspended threads whose wait is
 * over. The baton is handed explicitly to the head of the queue — never raced for — so events
 * start in the order they arrived. A thread gives the baton back only when its event ends or
 * when it suspends ({@link #suspend}); a thread whose event ends runs the next new event itself
 * instead of starting another thread, so a busy process costs one thread wake-up per burst, not
 * one per event.
 *
 * <p>A worker that finds nothing left to run stays parked for a while as the <em>idle worker</em>;
 * the next event that finds the baton free is handed to it rather than to a new thread.
 *
 * <p>All state is guarded by one {@link ReentrantLock}, held only for a few field updates:
 * virtual threads never pin a carrier on it and never block while holding it.
 */
final class BatonScheduler implements EventScheduler {
  private static final Logger log = LoggerFactory.getLogger(dev.moonwire.rpc.runtime.internal.transport.Loggers.PROCESS);

  private final RuntimeProcess process;
  private final ThreadFactory threads;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Object> runQueue = new ArrayDeque<>(); // Runnable or Waiter
  private volatile Thread owner; // writes under lock
  private boolean stopped;
  private Thread idle; // a worker parked for its next event, or null
  private Runnable handoff; // the event given to the idle worker
  private static final long IDLE_NANOS = 10_000_000_000L;
  private final EventClock clock = new EventClock();
  /** Why the baton's holder may not suspend now, or null; touched only by the holder. */
  String noSuspension;

  BatonScheduler(RuntimeProcess process) {
    this.process = process;
    this.threads = EventThreads.forProcess(process);
  }

  @Override
  public int queued() {
    lock.lock();
    try {
      return runQueue.size() + (handoff != null ? 1 : 0);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean trySubmit(Runnable event) {
    Thread worker;
    boolean fresh;
    lock.lock();
    try {
      if (stopped) {
        return false;
      }
      if (owner != null) {
        runQueue.add(event);
        return true;
      }
      fresh = idle == null;
      worker = assign(event);
    } finally {
      lock.unlock();
    }
    wake(worker, fresh);
    return true;
  }

  @Override
  public EventClock clock() {
    return clock;
  }

  /** Under the lock: gives {@code event} and the baton to the idle worker, or a new one. */
  private Thread assign(Runnable event) {
    Thread worker = idle;
    if (worker != null) {
      idle = null;
      handoff = event;
    } else {
      worker = threads.newThread(() -> work(event));
    }
    owner = worker;
    return worker;
  }

  private static void wake(Thread worker, boolean fresh) {
    if (fresh) {
      worker.start();
    } else {
      LockSupport.unpark(worker);
    }
  }

  @Override
  public void shutdown() {
    Thread w;
    lock.lock();
    try {
      stopped = true;
      w = idle;
      idle = null;
    } finally {
      lock.unlock();
    }
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /** True if the calling thread holds this process's baton. */
  boolean holdsBaton() {
    return owner == Thread.currentThread();
  }

  private void work(Runnable first) {
    Processes.bind(process);
    Runnable event = first;
    while (event != null) {
      clock.begin();
      try {
        event.run();
      } catch (Throwable t) {
        log.error("event of {} threw; the process goes on", process.id(), t);
      }
      noSuspension = null;
      clock.end();
      event = next();
      if (event == null) {
        event = awaitHandoff();
      }
    }
  }

  /** Parks as the idle worker until an event is handed over; null when it is time to end. */
  private Runnable awaitHandoff() {
    Thread me = Thread.currentThread();
    lock.lock();
    try {
      if (idle != null || stopped || owner == me) {
        return null;
      }
      idle = me;
    } finally {
      lock.unlock();
    }
    long end = System.nanoTime() + IDLE_NANOS;
    while (true) {
      LockSupport.parkNanos(this, end - System.nanoTime());
      Thread.interrupted(); // a late CANCEL of a finished request means nothing here
      lock.lock();
      try {
        if (owner == me) {
          Runnable r = handoff;
          handoff = null;
          return r;
        }
        if (idle != me) {
          return null; // shut down
        }
        if (System.nanoTime() - end >= 0) {
          idle = null;
          return null;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Called by the owner when its event is done: returns the next new event for this same
   * thread to run (keeping the baton), or hands the baton to a resumed thread, or frees it.
   */
  private Runnable next() {
    Waiter resumed;
    lock.lock();
    try {
      Object head = runQueue.poll();
      if (head == null) {
        owner = null;
        return null;
      }
      if (head instanceof Runnable r) {
        return r;
      }
      resumed = (Waiter) head;
      owner = resumed.thread;
    } finally {
      lock.unlock();
    }
    LockSupport.unpark(resumed.thread);
    return null;
  }

  /**
   * Gives the baton to the head of the run-queue and waits until {@code w} is resumed and the
   * baton comes back. Returns at once, keeping the baton, if {@code w} was already resumed. The
   * caller must hold the baton. {@code onInterrupt} runs (once) if the thread is interrupted
   * while waiting; it should make the wait end, e.g. by cancelling the call.
   *
   * @return true if the thread was interrupted (its interrupt status is then clear)
   * @throws IllegalStateException if the holder may not suspend here (see {@link Waiter})
   */
  boolean suspend(Waiter w, Runnable onInterrupt) {
    if (noSuspension != null) {
      throw new IllegalStateException(noSuspension);
    }
    Thread next = null;
    boolean fresh = false;
    Waiter resumed = null;
    if (w.ready) {
      return Thread.interrupted();
    }
    clock.end();
    lock.lock();
    try {
      if (w.ready) {
        clock.begin();
        return Thread.interrupted();
      }
      w.suspended = true;
      Object head = runQueue.poll();
      if (head == null) {
        owner = null;
      } else if (head instanceof Runnable r) {
        fresh = idle == null;
        next = assign(r);
      } else {
        resumed = (Waiter) head;
        owner = resumed.thread;
      }
    } finally {
      lock.unlock();
    }
    if (next != null) {
      wake(next, fresh);
    } else if (resumed != null) {
      LockSupport.unpark(resumed.thread);
    }
    Thread me = Thread.currentThread();
    boolean interrupted = false;
    while (owner != me) {
      LockSupport.park(this);
      if (Thread.interrupted() && !interrupted) {
        interrupted = true;
        onInterrupt.run();
      }
    }
    clock.begin();
    return interrupted;
  }

  /**
   * Ends {@code w}'s wait, from any thread: it queues for the baton behind what is already
   * queued (or takes it at once if it is free).
   */
  void resume(Waiter w) {
    lock.lock();
    try {
      w.ready = true;
      if (!w.suspended) {
        return; // it has not let go of the baton yet, and will see ready
      }
      if (owner != null) {
        runQueue.add(w);
        return;
      }
      owner = w.thread;
    } finally {
      lock.unlock();
    }
    LockSupport.unpark(w.thread);
  }
}
