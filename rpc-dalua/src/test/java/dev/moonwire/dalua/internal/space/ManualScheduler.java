package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.internal.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A scheduler a test advances by hand: tasks run when their time has come, on the caller. */
final class ManualScheduler implements Scheduler {
  private record Task(long at, Runnable task, boolean[] cancelled) {}

  private final List<Task> tasks = new ArrayList<>();
  private long now;

  @Override
  public synchronized Runnable schedule(Runnable task, Duration delay) {
    boolean[] cancelled = {false};
    tasks.add(new Task(now + delay.toNanos(), task, cancelled));
    return () -> {
      synchronized (this) {
        cancelled[0] = true;
      }
    };
  }

  /** Moves the clock by {@code d} and runs what came due. */
  void advance(Duration d) {
    List<Runnable> due = new ArrayList<>();
    synchronized (this) {
      now += d.toNanos();
      tasks.removeIf(t -> {
        if (t.at() <= now) {
          if (!t.cancelled()[0]) {
            due.add(t.task());
          }
          return true;
        }
        return false;
      });
    }
    due.forEach(Runnable::run);
  }

  synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled()[0]).count();
  }
}
