package dev.moonwire.dalua.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay, on a thread of its own (never an event: a task that touches an
 * algorithm's state hops onto its process first). Tests replace it with one they advance by
 * hand, so pings and timeouts need no real waiting.
 */
@FunctionalInterface
public interface Scheduler {
  /** Returns what cancels the task if it has not run. */
  Runnable schedule(Runnable task, Duration delay);

  /** The real one: one daemon thread for all of DALua's delays. */
  Scheduler SYSTEM = new Scheduler() {
    private final ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
            .name("dalua-scheduler").unstarted(r));

    @Override
    public Runnable schedule(Runnable task, Duration delay) {
      var f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    }
  };
}
