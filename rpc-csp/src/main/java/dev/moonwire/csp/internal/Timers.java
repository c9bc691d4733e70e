package dev.moonwire.csp.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread that fires {@code Alt.after} guards. It only ends waits (a CAS and a
 * future completion); no user code runs on it. A cancelled timer leaves its queue at once, so
 * selects that end early hold no memory here.
 */
final class Timers {
  private Timers() {}

  private static final class Holder {
    static final ScheduledThreadPoolExecutor TIMER = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "moonwire-csp-timer");
        thread.setDaemon(true);
        return thread;
      });
      t.setRemoveOnCancelPolicy(true);
      return t;
    }
  }

  static ScheduledFuture<?> schedule(long nanos, Runnable task) {
    return Holder.TIMER.schedule(task, nanos, TimeUnit.NANOSECONDS);
  }
}
