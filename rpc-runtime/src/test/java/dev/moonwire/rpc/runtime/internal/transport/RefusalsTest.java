package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.RpcException;
import org.junit.jupiter.api.Test;

/**
 * Failed one-way sends gathered into one report of each kind, however many come before the
 * process runs it.
 */
class RefusalsTest {
  private final FakeEndpoint process = new FakeEndpoint();
  private final Refusals refusals = new Refusals(process);

  private <T extends RpcException> T reportRun(int index, Class<T> kind) {
    return assertThrows(kind, () -> process.submitted.get(index).run());
  }

  @Test
  void manyRefusals_beforeTheReportRuns_areOneReport_countingThemAll() {
    refusals.overloaded(3, "peer full");
    refusals.overloaded(2, "peer still full");

    assertEquals(1, process.submitted.size());
    var e = reportRun(0, OverloadedException.class);
    assertEquals("5 one-way sends failed in all; the last report: peer still full",
        e.getMessage());
    assertEquals(5, refusals.total());
  }

  @Test
  void oneRefusal_isReportedAsItself() {
    refusals.notSent(4, "connection lost");

    assertEquals("connection lost", reportRun(0, PeerUnavailableException.class).getMessage());
  }

  @Test
  void eachKind_isAReportOfItsOwn() {
    refusals.overloaded(1, "a");
    refusals.notSent(1, "b");
    refusals.noSuchFunction(1, "c");

    assertEquals(3, process.submitted.size());
    assertEquals("a", reportRun(0, OverloadedException.class).getMessage());
    assertEquals("b", reportRun(1, PeerUnavailableException.class).getMessage());
    assertEquals("c", reportRun(2, NoSuchFunctionException.class).getMessage());
    assertEquals(3, refusals.total());
  }

  @Test
  void afterAReportRan_theNextRefusalQueuesAnother() {
    refusals.overloaded(1, "first");
    reportRun(0, OverloadedException.class);

    refusals.overloaded(1, "second");

    assertEquals(2, process.submitted.size());
    assertEquals("second", reportRun(1, OverloadedException.class).getMessage());
  }
}
