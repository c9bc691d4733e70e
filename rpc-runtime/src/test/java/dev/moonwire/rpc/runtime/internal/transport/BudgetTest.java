package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A byte budget at its edges: exactly the limit fits, relief comes once at half. */
class BudgetTest {
  private final Budget budget = new Budget(100);
  private final AtomicInteger reliefs = new AtomicInteger();

  @Test
  void tryTake_upToTheLimitFits_oneByteMoreIsRefused_andTakesNothing() {
    assertTrue(budget.tryTake(60));
    assertTrue(budget.tryTake(40));
    assertFalse(budget.tryTake(1));

    assertEquals(100, budget.used());
    assertEquals(100, budget.limit());
  }

  @Test
  void take_takesWhateverTheLimit_andSaysWhenItIsOver() {
    assertFalse(budget.take(100), "at the limit is not over it");
    assertTrue(budget.take(1));

    assertEquals(101, budget.used());
  }

  @Test
  void release_runsReliefOnce_whenTheBytesFallToHalf() {
    budget.onRelief(reliefs::incrementAndGet);
    budget.take(100);

    budget.release(49); // 51: not yet half
    assertEquals(0, reliefs.get());
    budget.release(1); // 50: half
    assertEquals(1, reliefs.get());
    budget.release(10); // 40: already below
    assertEquals(1, reliefs.get());

    budget.take(20); // 60
    budget.release(30); // 30: crossed again
    assertEquals(2, reliefs.get());
    assertEquals(30, budget.used());
  }

  @Test
  void release_fromOverTheLimitToBelowHalf_runsRelief() {
    budget.onRelief(reliefs::incrementAndGet);
    budget.take(150);

    budget.release(140);

    assertEquals(1, reliefs.get());
    assertEquals(10, budget.used());
  }
}
