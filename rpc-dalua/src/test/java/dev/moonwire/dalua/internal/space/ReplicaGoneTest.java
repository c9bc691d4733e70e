package dev.moonwire.dalua.internal.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.rpc.ProcessId;
import org.junit.jupiter.api.Test;

/** A Gone applies to the copy of the member it names, by that copy's Sync. */
class ReplicaGoneTest {
  private static final String G = "g";
  private static final ProcessId SELF = ProcessId.of("127.0.0.1", 1);
  private static final ProcessId P = ProcessId.of("127.0.0.1", 2);

  private static Replica replica() {
    return new Replica(G, SpaceLimits.DEFAULT, new Replica.Effects() {
      @Override
      public ProcessId self() {
        return SELF;
      }

      @Override
      public void answer(long req, Tuple t) {}

      @Override
      public void fail(long req, RuntimeException e) {}

      @Override
      public void leaseEnds(long seq, long millis) {}
    });
  }

  @Test
  void gone_afterTheMemberSyncedAgain_stale_itsNewTuplesStay() {
    Replica r = replica();
    r.apply(new SpaceOp.Sync(G, P, 1));
    r.apply(new SpaceOp.Sync(G, P, 2)); // p left and joined again; a slow member's Gone follows
    r.apply(new SpaceOp.Out(G, P, 7, new Object[] {"worker"}, SpaceOp.WHILE_ALIVE, 0));

    r.apply(new SpaceOp.Gone(G, P, 1));

    assertEquals(1, r.store.size(), "a Gone about p's old copy took its new copy's tuple");
    assertTrue(r.holders.contains(P), "p's new copy no longer counted a holder");
    r.apply(new SpaceOp.Gone(G, P, 2));
    assertEquals(0, r.store.size(), "the Gone of its current copy takes its tuple");
  }
}
