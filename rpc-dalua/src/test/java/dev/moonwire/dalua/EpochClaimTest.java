package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.internal.mutex.MutexPeer;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A member's membership epoch is the directory's to give, not the member's to claim: a
 * protocol message claiming a later one than the directory gave its sender is refused.
 */
class EpochClaimTest extends ProcessTestSupport {
  @Test
  void mutexRequest_claimingALaterEpochThanTheDirectoryGave_isRefused_andTheLeaveRemovesTheMember() {
    String app = "claim-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    a.apps().create(app);
    a.apps().join(app);
    b.apps().join(app);
    long given = b.epoch();
    assertTrue(given > 0, "b's epoch " + given);
    Mutex m = a.mutex("m", List.of(a.self(), b.self()));

    // b speaks for a membership it was never given: one its leave would not end
    b.process().send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class)
        .request(new MutexPeer.Request("m", 1L, b.self(), given + 1_000));

    await().atMost(Duration.ofSeconds(10)).until(() -> !uncaught.isEmpty());
    List<Throwable> refused = takeUncaught();
    assertTrue(refused.get(0) instanceof IllegalArgumentException
        && refused.get(0).getMessage().contains("its directory gave it " + given),
        refused.toString());
    m.remove(b.self(), given); // b's leave, with the epoch the directory tells
    assertEquals(Set.of(), m.others(), "b, by its claim, outlived its leave");
  }
}
