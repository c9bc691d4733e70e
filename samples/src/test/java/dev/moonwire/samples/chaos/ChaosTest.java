package dev.moonwire.samples.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A short seeded {@code ./mw chaos} (seed 3: 4 pauses and 6 cuts), with the faults today's
 * DALua survives: connections cut (where {@code ss -K} works: root on Linux), 2% of one-way
 * sends dropped, and pauses shorter than the failure detector takes to drop a frozen member
 * (a slow member must be waited for).
 * Kills with a restart at the same port, and pauses past the detector, fail today (issue 20):
 * {@code ./mw chaos --faults kill} and {@code --faults pause} show them.
 */
class ChaosTest {
  @Test
  void run_seeded_withTheFaultsSurvivedToday_endsOk() {
    String faults = ConnectionCutter.available() == null ? "cut,drop,pause" : "drop,pause";
    assertEquals(0, Chaos.run("--seconds", "18", "--members", "4", "--seed", "3",
        "--faults", faults, "--pause-seconds", "3"));
  }
}
