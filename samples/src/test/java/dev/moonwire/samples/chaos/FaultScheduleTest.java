package dev.moonwire.samples.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.samples.chaos.FaultSchedule.Fault;
import dev.moonwire.samples.chaos.FaultSchedule.Kind;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
  private static final EnumSet<Kind> ALL = EnumSet.allOf(Kind.class);

  @Test
  void of_theSameSeed_givesTheSameSchedule() {
    assertEquals(FaultSchedule.of(42, 5, 60_000, ALL, 6_000),
        FaultSchedule.of(42, 5, 60_000, ALL, 6_000));
    assertNotEquals(FaultSchedule.of(42, 5, 60_000, ALL, 6_000),
        FaultSchedule.of(43, 5, 60_000, ALL, 6_000));
  }

  @Test
  void of_anyRun_keepsHalfTheMembersUp_andEndsEveryFaultBeforeTheEnd() {
    for (long seed = 0; seed < 50; seed++) {
      FaultSchedule s = FaultSchedule.of(seed, 5, 30_000, ALL, 6_000);
      assertTrue(s.count(Kind.KILL) + s.count(Kind.PAUSE) + s.count(Kind.CUT) > 5,
          "seed " + seed + ": " + s);
      for (Fault f : s.faults()) {
        assertTrue(f.atMillis() + f.millis() < 30_000, f.toString());
        long down = s.faults().stream().filter(g -> g.millis() > 0
            && g.atMillis() <= f.atMillis() && f.atMillis() < g.atMillis() + g.millis()).count();
        assertTrue(down <= 2, "seed " + seed + ": " + down + " members down at " + f);
      }
    }
  }

  @Test
  void of_onlyTheKindsAsked() {
    FaultSchedule s = FaultSchedule.of(7, 5, 60_000, EnumSet.of(Kind.CUT), 6_000);
    assertEquals(s.faults().size(), s.count(Kind.CUT));
  }
}
