package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.EventClock;
import dev.moonwire.rpc.runtime.internal.transport.Loggers;
import dev.moonwire.rpc.runtime.internal.transport.Transport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per event, when an event holds its process longer than the threshold — as
 * Vert.x's blocked-thread checker does. Runs on the timer thread, a few times per threshold.
 */
final class BlockedEventChecker {
  private static final Logger log = LoggerFactory.getLogger(Loggers.BLOCKED_EVENT);

  private final RuntimeProcess process;
  private final EventClock clock;
  private final long thresholdNanos;
  private final long periodNanos;
  private long reportedTurn = -1;
  private volatile boolean stopped;
  private final AtomicLong reports = new AtomicLong();
  private volatile String lastStack = "";

  private BlockedEventChecker(RuntimeProcess process, EventClock clock, Duration threshold) {
    this.process = process;
    this.clock = clock;
    this.thresholdNanos = threshold.toNanos();
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(20), thresholdNanos / 4);
  }

  /** Starts checking {@code clock}; null if the threshold is zero (checker off). */
  static BlockedEventChecker start(RuntimeProcess process, EventClock clock, Duration threshold) {
    if (threshold.isZero()) {
      return null;
    }
    BlockedEventChecker c = new BlockedEventChecker(process, clock, threshold);
    c.schedule();
    return c;
  }

  private void schedule() {
    if (!stopped) {
      Transport.TIMER.newTimeout(t -> check(), periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void check() {
    try {
      EventClock.Held held = clock.heldLongerThan(thresholdNanos);
      if (held != null && held.turn() != reportedTurn) {
        reportedTurn = held.turn();
        report(held);
      }
    } finally {
      schedule();
    }
  }

  private void report(EventClock.Held held) {
    Throwable where = new Throwable("the blocked event's stack, on " + held.thread());
    where.setStackTrace(held.thread().getStackTrace());
    StringBuilder stack = new StringBuilder();
    for (StackTraceElement e : where.getStackTrace()) {
      stack.append("\tat ").append(e).append('\n');
    }
    lastStack = stack.toString();
    reports.incrementAndGet();
    log.warn("{}: one event has held the process for {} ms without reaching a suspension "
        + "point (threshold {} ms); every other event of the process waits. A blocking call "
        + "(Thread.sleep, join() on a foreign future, I/O) stalls the whole process: use "
        + "Rpc.sleep, Rpc.await or a sync call instead, or raise "
        + "RpcConfig.withBlockedEventThreshold.", process.id(),
        TimeUnit.NANOSECONDS.toMillis(held.nanos()), TimeUnit.NANOSECONDS.toMillis(thresholdNanos),
        where);
  }

  void stop() {
    stopped = true;
  }

  long reports() {
    return reports.get();
  }

  String lastStack() {
    return lastStack;
  }
}
