package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Timers, on a clock the test turns by hand, and once on the real one. */
class TimersTest extends ProcessTestSupport {
  /** A scheduler whose tasks run only when the test says: exact and fast. */
  static final class HandClock implements Timers.Scheduler {
    final ArrayDeque<Runnable> due = new ArrayDeque<>();
    Duration lastDelay;

    @Override
    public synchronized Runnable schedule(Runnable task, Duration delay) {
      lastDelay = delay;
      due.add(task);
      return () -> {
        synchronized (this) {
          due.remove(task);
        }
      };
    }

    /** Runs the next due task; false if none is scheduled. */
    boolean tick() {
      Runnable next;
      synchronized (this) {
        next = due.poll();
      }
      if (next == null) {
        return false;
      }
      next.run();
      return true;
    }
  }

  private final AtomicInteger ticks = new AtomicInteger();

  private RpcProcess counter() {
    RpcProcess p = open();
    p.export("tick", a -> ticks.addAndGet(a.intAt(0)));
    return p;
  }

  @Test
  void aTimer_firesExactlyItsTimes_asSendsToItsProcess() {
    RpcProcess target = counter();
    HandClock clock = new HandClock();
    Timers timers = new Timers(open(), clock);

    timers.add(target.id(), Duration.ofSeconds(1), 3, "tick", 1);
    int fired = 0;
    while (clock.tick()) {
      fired++;
    }

    assertEquals(3, fired);
    assertEquals(Duration.ofSeconds(1), clock.lastDelay);
    await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() == 3);
    assertEquals(0, timers.count());
  }

  @Test
  void aTimerForever_firesUntilRemoved() {
    RpcProcess target = counter();
    HandClock clock = new HandClock();
    Timers timers = new Timers(open(), clock);
    long id = timers.add(target.id(), Duration.ofMillis(10), 0, "tick", 1);

    for (int i = 0; i < 50; i++) {
      assertTrue(clock.tick());
    }
    assertTrue(timers.remove(id));

    assertFalse(clock.tick(), "nothing scheduled once removed");
    assertFalse(timers.remove(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() == 50);
  }

  @Test
  void aTimerOfAProcessThatCloses_stops() {
    RpcProcess target = counter();
    RpcProcess owner = open();
    HandClock clock = new HandClock();
    Timers timers = new Timers(owner, clock);
    timers.add(target.id(), Duration.ofSeconds(1), 0, "tick", 1);
    assertTrue(clock.tick());
    await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() == 1); // delivered

    owner.close();

    assertTrue(clock.tick()); // the firing that finds the process closed
    assertFalse(clock.tick(), "and schedules no other");
    assertEquals(0, timers.count());
    assertEquals(1, ticks.get());
  }

  @Test
  void badArguments_areRefused() {
    Timers timers = new Timers(open(), new HandClock());
    assertThrows(IllegalArgumentException.class,
        () -> timers.add(open().id(), Duration.ZERO, 1, "tick"));
    assertThrows(IllegalArgumentException.class,
        () -> timers.add(open().id(), Duration.ofSeconds(1), -1, "tick"));
  }

  @Test
  void onTheRealClock_throughDalua() {
    RpcProcess target = counter();
    Dalua d = Dalua.attach(open(), Directory.local());

    d.timers().add(target.id(), Duration.ofMillis(20), 5, "tick", 2);

    await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() == 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> d.timers().count() == 0);
    assertEquals(10, ticks.get());
  }
}
