package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Timers (seed 000's {@code dalua.timer}): a function called on a process every period, as a
 * one-way send from this process. Methods may be called from any thread.
 */
public final class Timers {
  /** Runs a task after a delay; replaced in tests by one that a test advances by hand. */
  interface Scheduler {
    /** Returns what cancels the task if it has not run. */
    Runnable schedule(Runnable task, Duration delay);
  }

  private static final ScheduledExecutorService EXECUTOR =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-timers").unstarted(r));

  static final Scheduler SYSTEM = (task, delay) -> {
    var f = EXECUTOR.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  };

  private final RpcProcess process;
  private final Scheduler scheduler;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Timer> running = new ConcurrentHashMap<>();

  Timers(RpcProcess process, Scheduler scheduler) {
    this.process = process;
    this.scheduler = scheduler;
  }

  /** One timer: fires, counts, and schedules its next firing until done or removed. */
  private final class Timer implements Runnable {
    final long id;
    final ProcessId target;
    final Duration period;
    final int times;
    final String function;
    final Object[] args;
    int fired; // only the scheduler's thread touches it, one firing at a time
    volatile Runnable cancel;
    volatile boolean stopped;

    Timer(long id, ProcessId target, Duration period, int times, String function,
        Object[] args) {
      this.id = id;
      this.target = target;
      this.period = period;
      this.times = times;
      this.function = function;
      this.args = args;
    }

    @Override
    public void run() {
      if (stopped) {
        return;
      }
      if (process.isClosed()) {
        stop();
        return;
      }
      process.send(target, function, args);
      fired++;
      if (times != 0 && fired >= times) {
        stop();
        return;
      }
      cancel = scheduler.schedule(this, period);
      if (stopped) { // removed while this was rescheduling
        cancel.run();
      }
    }

    void stop() {
      stopped = true;
      running.remove(id, this);
    }
  }

  /**
   * Calls {@code function} with {@code args} on {@code target} every {@code period}, as a
   * one-way send from this process ({@code RpcProcess.send}: failures go to this process's
   * uncaught-error handler), {@code times} times, or until removed if {@code times} is 0. The
   * first call is one period from now; the timer stops when this process closes.
   *
   * @return the timer's id, for {@link #remove}
   * @throws IllegalArgumentException if {@code period} is not positive or {@code times} < 0
   */
  public long add(ProcessId target, Duration period, int times, String function,
      Object... args) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(function, "function");
    if (period == null || period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("timer : period " + dev.moonwire.rpc.internal.Text.duration(period)
          + " (expected: > 0)");
    }
    if (times < 0) {
      throw new IllegalArgumentException("timer : times " + times
          + " (expected: >= 0; 0 = until removed)");
    }
    long id = ids.incrementAndGet();
    Timer t = new Timer(id, target, period, times, function, args == null ? new Object[0]
        : args.clone());
    running.put(id, t);
    t.cancel = scheduler.schedule(t, period);
    return id;
  }

  /** Stops the timer {@code id}; false if there is none running (done, or removed). */
  public boolean remove(long id) {
    Timer t = running.remove(id);
    if (t == null) {
      return false;
    }
    t.stopped = true;
    Runnable cancel = t.cancel;
    if (cancel != null) {
      cancel.run();
    }
    return true;
  }

  /** How many timers are running (for tests and diagnostics). */
  public int count() {
    return running.size();
  }
}
