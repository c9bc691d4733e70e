package dev.moonwire.rpc.runtime.internal.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The wait between failed connection attempts: 50 ms, doubling, at most 2 s. */
class ConnectBackoffTest {
  private static final ProcessId PEER = ProcessId.of("peer.example", 9);
  private static final Pattern NEXT = Pattern.compile("next attempt in (\\d+) ms");

  private static ConnectBackoff failedTimes(int n) {
    ConnectBackoff b = new ConnectBackoff();
    for (int i = 0; i < n; i++) {
      b = b.failed();
    }
    return b;
  }

  /** The wait the refusal of a new attempt names, in ms. */
  private static long waitAfter(int failures) {
    ConnectBackoff b = failedTimes(failures);
    var e = assertThrows(PeerUnavailableException.class, () -> b.check(PEER));
    assertTrue(e.getMessage().startsWith("cannot connect to " + PEER + ": " + failures
        + " attempt(s) failed"), e.getMessage());
    Matcher m = NEXT.matcher(e.getMessage());
    assertTrue(m.find(), e.getMessage());
    return Long.parseLong(m.group(1));
  }

  @Test
  void noFailureYet_anAttemptMayGo() {
    new ConnectBackoff().check(PEER);
  }

  @Test
  void afterFailures_theWaitDoubles_upToTwoSeconds() {
    // the wait named is what is left of it, so each is checked within half of itself
    long[] expected = {50, 100, 200, 400, 800, 1600, 2000, 2000};
    for (int failures = 1; failures <= expected.length; failures++) {
      long wait = waitAfter(failures);
      long full = expected[failures - 1];
      assertTrue(wait <= full + 1 && wait > full / 2,
          failures + " failures: " + wait + " ms (expected: " + full + ")");
    }
  }

  @Test
  void afterVeryManyFailures_theWaitStaysTwoSeconds() {
    long wait = waitAfter(70);

    assertTrue(wait <= 2001 && wait > 1000, wait + " ms");
  }

  @Test
  void onceTheWaitIsOver_anAttemptMayGoAgain() {
    ConnectBackoff b = failedTimes(1);

    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
        .ignoreException(PeerUnavailableException.class)
        .until(() -> {
          b.check(PEER);
          return true;
        });
  }
}
