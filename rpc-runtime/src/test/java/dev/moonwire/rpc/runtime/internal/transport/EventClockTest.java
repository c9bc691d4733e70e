package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What the blocked-event checker reads: who holds the process, since when, in which turn. */
class EventClockTest {
  private final EventClock clock = new EventClock();

  @Test
  void noEvent_holdsNothing() {
    assertNull(clock.heldLongerThan(0));
  }

  @Test
  void anEvent_isSeenHolding_onlyPastTheGivenTime_andNotAfterItEnds() {
    clock.begin();
    EventClock.Held held = clock.heldLongerThan(0);

    assertEquals(Thread.currentThread(), held.thread());
    assertTrue(held.nanos() >= 0);
    assertNull(clock.heldLongerThan(3_600_000_000_000L), "not an hour");

    clock.end();
    assertNull(clock.heldLongerThan(0));
  }

  @Test
  void eachTurn_isTold_apartFromTheNext() {
    clock.begin();
    long first = clock.heldLongerThan(0).turn();
    clock.end();
    clock.begin();

    assertNotEquals(first, clock.heldLongerThan(0).turn());
  }
}
