package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Lease;
import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Taken;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Rpc;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code TupleSpace.local()}: the tuples and the waiting requests of one JVM under one lock, so
 * each operation is one atomic step (linearizable: {@code LocalSpaceLincheckTest}). An {@code
 * out} first serves the waiting requests that match, oldest first — every {@code rd} it passes,
 * and the first {@code in} or {@code take}, which takes it — and only if none took it adds it to
 * the store. Waiters are woken after the lock is released, and wait with {@code Rpc.await}: a
 * suspension point inside an event, a blocking wait elsewhere, cancellable either way.
 */
public final class LocalSpace implements TupleSpace {
  private final String name;
  private final Scheduler scheduler;
  private final ReentrantLock lock = new ReentrantLock();
  private final Store store;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  public LocalSpace(String name, SpaceLimits limits) {
    this(name, limits, Scheduler.SYSTEM);
  }

  /** A space whose leases and timeouts run on {@code scheduler} (tests pass one they advance). */
  public LocalSpace(String name, SpaceLimits limits, Scheduler scheduler) {
    this.name = Objects.requireNonNull(name, "name");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.store = new Store(name, Objects.requireNonNull(limits, "limits"));
  }

  @Override
  public void out(Tuple tuple, Lease lease) {
    Objects.requireNonNull(tuple, "tuple");
    Objects.requireNonNull(lease, "lease");
    WireCheck.check(name, tuple);
    long size = WireCheck.bytes(tuple);
    List<Waiter> served = new ArrayList<>(2);
    lock.lock();
    try {
      boolean taken = false;
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext() && !taken; ) {
        Waiter w = it.next();
        if (!w.template.matches(tuple)) {
          continue;
        }
        it.remove();
        if (w.tryServe(tuple)) {
          served.add(w);
          taken = w.takes;
        }
      }
      if (!taken) {
        store.checkRoom(size);
        Store.Entry e = store.add(tuple, size);
        if (lease.kind() == Lease.Kind.TIMED) {
          e.expiry = scheduler.schedule(() -> expire(e), lease.duration());
        }
      }
    } finally {
      lock.unlock();
    }
    for (Waiter w : served) {
      w.woken.complete(null);
    }
  }

  private void expire(Store.Entry e) {
    lock.lock();
    try {
      store.remove(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Tuple in(Template template) {
    return await(template, true, null).orElseThrow();
  }

  @Override
  public Optional<Tuple> in(Template template, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return await(template, true, timeout);
  }

  @Override
  public Tuple rd(Template template) {
    return await(template, false, null).orElseThrow();
  }

  @Override
  public Optional<Tuple> inp(Template template) {
    Objects.requireNonNull(template, "template");
    lock.lock();
    try {
      return Optional.ofNullable(takeNow(template));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<Tuple> rdp(Template template) {
    Objects.requireNonNull(template, "template");
    lock.lock();
    try {
      Store.Entry e = store.oldest(template);
      return e == null ? Optional.empty() : Optional.of(e.tuple);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Taken take(Template template) {
    Tuple t = in(template);
    // This space lives and dies with its process: a loan cannot outlive the taker, so the take
    // is final at once and done() has nothing left to do.
    return new Taken() {
      @Override
      public Tuple tuple() {
        return t;
      }

      @Override
      public void done() {}
    };
  }

  @Override
  public int size() {
    lock.lock();
    try {
      return store.size();
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: removes and returns the oldest match, or null. */
  private Tuple takeNow(Template template) {
    Store.Entry e = store.oldest(template);
    if (e == null) {
      return null;
    }
    store.remove(e);
    if (e.expiry != null) {
      e.expiry.run();
    }
    return e.tuple;
  }

  /**
   * Takes or reads a match now if there is one; otherwise queues a waiter and waits for it to be
   * served, to time out, or to be cancelled — in which case it withdraws, unless an {@code out}
   * served it at that very moment: then the tuple is its and is returned (the cancellation is
   * kept as the interrupt status for the next suspension point).
   */
  private Optional<Tuple> await(Template template, boolean takes, Duration timeout) {
    Objects.requireNonNull(template, "template");
    Waiter w = new Waiter(template, takes);
    lock.lock();
    try {
      Store.Entry e = store.oldest(template);
      if (e != null) {
        return Optional.of(takes ? takeNow(template) : e.tuple);
      }
      if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
        return Optional.empty();
      }
      waiters.add(w);
    } finally {
      lock.unlock();
    }
    Runnable cancelTimer = timeout == null ? null
        : scheduler.schedule(() -> {
          if (w.tryEnd(Waiter.TIMED_OUT)) {
            withdraw(w);
          }
        }, timeout);
    try {
      Rpc.await(w.woken);
    } catch (RuntimeException | Error e) {
      if (w.tryEnd(Waiter.CANCELLED)) {
        withdraw(w);
        if (cancelTimer != null) {
          cancelTimer.run();
        }
        throw e;
      }
      if (e instanceof CancelledException) {
        Thread.currentThread().interrupt();
      }
    }
    if (cancelTimer != null) {
      cancelTimer.run();
    }
    return w.state() == Waiter.SERVED ? Optional.of(w.tuple()) : Optional.empty();
  }

  private void withdraw(Waiter w) {
    lock.lock();
    try {
      waiters.remove(w);
    } finally {
      lock.unlock();
    }
  }

  /** Requests waiting now (for tests). */
  public int waiting() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "tuple space '" + name + "'";
  }
}
