package dev.moonwire.dalua.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The mutex's failure detector: slow is never gone; unreachable is gone only after a while. */
class LivenessTest {
  private final long[] now = {0};
  private final Liveness liveness = new Liveness(() -> now[0]);
  private final ProcessId p = ProcessId.parse("127.0.0.1:4000");

  private void after(long seconds) {
    now[0] += TimeUnit.SECONDS.toNanos(seconds);
  }

  @Test
  void unreachable_isGoneOnlyAfterFiveSecondsOfFailures() {
    PeerUnavailableException refused = new PeerUnavailableException("refused", null);
    assertFalse(liveness.gone(p, refused)); // one failed dial: not yet
    after(4);
    assertFalse(liveness.gone(p, refused));
    after(1);
    assertTrue(liveness.gone(p, refused));
  }

  @Test
  void goneIsGone_forEveryAsker_untilItAnswers() {
    PeerUnavailableException refused = new PeerUnavailableException("refused", null);
    assertFalse(liveness.gone(p, refused));
    after(5);
    assertTrue(liveness.gone(p, refused)); // the mutex's ping
    assertTrue(liveness.gone(p, refused)); // total order's, a moment later: the same verdict
    liveness.answered(p);
    assertFalse(liveness.gone(p, refused));
  }

  @Test
  void anAnswer_startsTheCountAgain() {
    PeerUnavailableException refused = new PeerUnavailableException("refused", null);
    assertFalse(liveness.gone(p, refused));
    after(4);
    liveness.answered(p); // back: it was only a dropped connection
    after(2);
    assertFalse(liveness.gone(p, refused));
    after(4);
    assertFalse(liveness.gone(p, refused));
  }

  @Test
  void slowOrOwnClose_isNeverGone_andNoDaluaThereIsGoneAtOnce() {
    for (int i = 0; i < 10; i++) {
      assertFalse(liveness.gone(p, new DeadlineExceededException("slow")));
      assertFalse(liveness.gone(p, new ProcessClosedException("this one closes")));
      after(10);
    }
    assertTrue(liveness.gone(p, new NoSuchFunctionException("no dalua.alive")));
  }

  @Test
  void gone_oneFailureThenHoursLaterOneTransientFailure_isNotGone() {
    PeerUnavailableException refused = new PeerUnavailableException("refused", null);
    assertFalse(liveness.gone(p, refused)); // a dropped connection, once
    after(TimeUnit.HOURS.toSeconds(3)); // hours of quiet: nothing pinged it meanwhile
    assertFalse(liveness.gone(p, refused)); // one more blip: a new incident, not an outage
    after(1);
    assertFalse(liveness.gone(p, refused));
  }

  @Test
  void gone_aMessageHeardBetweenFailures_clearsTheSuspicion() {
    PeerUnavailableException refused = new PeerUnavailableException("refused", null);
    assertFalse(liveness.gone(p, refused));
    after(3);
    liveness.heard(p); // an OK (or any protocol message) from it arrived
    after(3);
    assertFalse(liveness.gone(p, refused));
    after(4);
    assertFalse(liveness.gone(p, refused)); // 4 s of failures since it was heard: not yet
    after(1);
    assertTrue(liveness.gone(p, refused));
  }

  @Test
  void gone_moreDeadMembersThanItRemembers_areEachSeenGone() {
    PeerUnavailableException refused = new PeerUnavailableException("refused", null);
    int dead = 10_001; // more than a detector of 10,000 could hold at once
    Liveness small = new Liveness(() -> now[0], 10_000);
    java.util.Set<ProcessId> left = new java.util.LinkedHashSet<>();
    for (int i = 0; i < dead; i++) {
      left.add(ProcessId.of("10.0." + (i >> 8) + "." + (i & 255), 7000));
    }

    for (int second = 0; second < 20 && !left.isEmpty(); second++) { // the hub's pings
      left.removeIf(member -> small.gone(member, refused)); // gone: dropped, pinged no more
      after(1);
    }

    assertTrue(left.isEmpty(), left.size() + " dead members never seen gone");
  }

  @Test
  void gone_aDialRefusedToAMemberHeardFromBefore_isGoneAtOnce_butNotOneNeverHeardFrom() {
    PeerUnavailableException refused = new PeerUnavailableException(
        "cannot connect to " + p + ": Connection refused: /127.0.0.1:4000");
    ProcessId neverHeard = ProcessId.parse("127.0.0.1:4001");
    liveness.heard(p);

    assertTrue(liveness.gone(p, refused)); // killed: its host says nothing listens there
    assertFalse(liveness.gone(neverHeard, refused)); // perhaps not started yet: the full bound
    Liveness other = new Liveness(() -> now[0]);
    other.heard(p);
    assertFalse(other.gone(p, new PeerUnavailableException("cannot connect to " + p
        + ": connection timed out: /127.0.0.1:4000"))); // silence: not evidence enough yet
  }
}
