package dev.moonwire.samples.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check finds each violation in logs written to show it, and passes clean logs. */
class ChaosCheckTest {
  @TempDir
  Path dir;

  private void write(String file, String... lines) throws IOException {
    Files.write(dir.resolve(file), List.of(lines));
  }

  /** The one property violated. */
  private ChaosCheck.Violation violation() {
    List<ChaosCheck.Violation> found = new ChaosCheck(dir, List.of("m0.0", "m1.0")).check();
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }

  @Test
  void check_cleanLogs_passesAndCounts() throws Exception {
    write("resource.log",
        "100 write m0.0 5 enter 100 accepted", "120 write m0.0 5 leave 100 accepted",
        "130 write m1.0 7 enter 130 accepted", "150 write m1.0 7 leave 130 accepted");
    write("m0.0.log", "90 joined m0.0", "200 total m0.0.0", "210 total m1.0.0",
        "220 csent m0.0.c0 -", "230 causal m0.0.c0 -", "260 causal m1.0.c0 m0.0.c0");
    write("m1.0.log", "90 joined m1.0", "200 total m0.0.0", "210 total m1.0.0",
        "240 causal m0.0.c0 -", "250 csent m1.0.c0 m0.0.c0", "250 causal m1.0.c0 m0.0.c0");
    ChaosCheck check = new ChaosCheck(dir, List.of("m0.0", "m1.0"));
    assertEquals(List.of(), check.check());
    assertEquals(2, check.entries);
    assertEquals(4, check.totalDeliveries);
    assertEquals(4, check.causalDeliveries);
  }

  @Test
  void check_aSecondHolderWhileTheFirstHeldIt_failsMutualExclusion() throws Exception {
    write("resource.log",
        "100 write m0.0 5 enter 100 accepted", "110 write m1.0 7 enter 105 accepted");
    assertEquals("mutual exclusion", violation().property);
  }

  @Test
  void check_aSecondHolderWhileTheFirstWasPaused_isFencingAtWork() throws Exception {
    write("faults.log", "90 pause m0 123", "200 resume m0");
    write("resource.log",
        "80 write m0.0 5 enter 80 accepted", "110 write m1.0 7 enter 105 accepted",
        "210 write m0.0 5 work 80 refused");
    ChaosCheck check = new ChaosCheck(dir, List.of("m0.0", "m1.0"));
    assertEquals(List.of(), check.check());
    assertEquals(1, check.fenced);
  }

  @Test
  void check_aHolderPausedWhileItWaited_thenRefused_isFencingAtWork() throws Exception {
    write("faults.log", "60 pause m1 123", "90 resume m1");
    write("m1.0.log", "50 left 3", "100 entered 4");
    write("resource.log",
        "80 write m0.0 9 enter 80 accepted", "95 write m0.0 9 leave 80 accepted",
        "101 write m1.0 4 enter 100 refused");
    ChaosCheck check = new ChaosCheck(dir, List.of("m0.0", "m1.0"));
    assertEquals(List.of(), check.check());
    assertEquals(1, check.fenced);
    assertEquals(1, check.staleGrants);
  }

  @Test
  void check_aHolderNeverPausedRefusedItsToken_failsFencing() throws Exception {
    write("resource.log",
        "100 write m0.0 9 enter 100 accepted", "110 write m0.0 9 leave 100 accepted",
        "130 write m1.0 7 enter 130 refused");
    assertEquals("fencing", violation().property);
  }

  @Test
  void check_twoMembersDeliveringInOtherOrders_failsTotalOrder() throws Exception {
    write("m0.0.log", "200 total m0.0.0", "210 total m1.0.0");
    write("m1.0.log", "200 total m1.0.0", "210 total m0.0.0");
    assertEquals("total order", violation().property);
  }

  @Test
  void check_aGapInASendersMessages_failsTotalOrder() throws Exception {
    write("m0.0.log", "200 total m1.0.0", "210 total m1.0.2");
    assertEquals("total order", violation().property);
  }

  @Test
  void check_aReplyDeliveredBeforeWhatItAnswers_failsCausalOrder() throws Exception {
    write("m0.0.log", "220 csent m0.0.c0 -");
    write("m1.0.log", "250 causal m1.0.c0 m0.0.c0", "260 causal m0.0.c0 -");
    assertEquals("causal order", violation().property);
  }

  @Test
  void check_aDependencyTwoStepsBackDeliveredLate_failsCausalOrder() throws Exception {
    // m2.0.c0 answers m1.0.c0, which answers m0.0.c0; m1.0.c0 is never delivered at m0.0
    write("m2.0.log", "200 csent m1.0.c0 m0.0.c0");
    write("m0.0.log", "250 causal m2.0.c0 m1.0.c0", "260 causal m0.0.c0 -");
    assertEquals("causal order", violation().property);
  }
}
