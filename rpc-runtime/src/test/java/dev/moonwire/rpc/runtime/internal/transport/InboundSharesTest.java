package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each connection's share of the inbound budget, at its edges. */
class InboundSharesTest {
  private static final long MIB = 1 << 20;
  private static final long RESERVE = InboundShares.FLOOR;

  private final Budget budget = new Budget(4 * MIB);
  private final InboundShares shares = new InboundShares(budget);
  private final Connection local = connection();

  private static Connection connection() {
    return new LocalConnection(new FakeEndpoint());
  }

  @Test
  void tryTake_aloneAConnectionMayHoldAllButTheReserve_oneByteMoreIsRefused() {
    Connection flooder = connection();

    assertTrue(shares.tryTake(flooder, 4 * MIB - RESERVE));
    assertFalse(shares.tryTake(flooder, 1));

    assertEquals(4 * MIB - RESERVE, flooder.heldWork());
    assertEquals(4 * MIB - RESERVE, budget.used());
    Connection newcomer = connection();
    assertTrue(shares.tryTake(newcomer, RESERVE), "the reserve is the newcomer's");
  }

  @Test
  void recount_twoConnectionsWithWork_eachMayHoldAThird_theHogIsRefusedUntilBelowIt() {
    Connection flooder = connection();
    Connection other = connection();
    assertTrue(shares.tryTake(flooder, 2 * MIB));
    assertTrue(shares.tryTake(other, 1024));

    shares.recount(List.of(flooder, other), local);

    assertEquals(2, shares.contenders());
    long third = 4 * MIB / 3;
    assertEquals(third, shares.cap());
    assertFalse(shares.tryTake(flooder, 1), "over its share");
    assertTrue(shares.overShare(flooder, 1));
    assertTrue(shares.tryTake(other, third - 1024));
    assertFalse(shares.tryTake(other, 1));
    shares.release(flooder, 2 * MIB - third + 1);
    assertTrue(shares.tryTake(flooder, 1), "below its share again");
  }

  @Test
  void recount_aConnectionThatHoldsNothingAndAskedNothing_countsNoLonger() {
    Connection flooder = connection();
    Connection other = connection();
    assertTrue(shares.tryTake(flooder, MIB));
    assertTrue(shares.tryTake(other, 1024));
    shares.release(other, 1024);

    shares.recount(List.of(flooder, other), local); // other asked since the last count
    assertEquals(2, shares.contenders());
    shares.recount(List.of(flooder, other), local);

    assertEquals(1, shares.contenders());
    assertEquals(4 * MIB - RESERVE, shares.cap());
  }

  @Test
  void recount_aRefusedConnectionCounts_itWantsWork() {
    Connection flooder = connection();
    Connection refused = connection();
    assertTrue(shares.tryTake(flooder, 4 * MIB - RESERVE));
    assertFalse(shares.tryTake(refused, RESERVE + 1));

    shares.recount(List.of(flooder, refused), local);

    assertEquals(2, shares.contenders());
    assertEquals(0, refused.heldWork());
  }

  @Test
  void recount_manyConnectionsWithWork_eachMayStillHoldTheFloor_andTheBudgetBoundsThemAll() {
    List<Connection> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Connection c = connection();
      assertTrue(shares.tryTake(c, 1));
      many.add(c);
    }

    shares.recount(many, local);

    assertEquals(RESERVE, shares.cap(), "4 MiB / 41 is under the floor");
    int admitted = 0;
    for (Connection c : many) {
      if (shares.tryTake(c, RESERVE - 1)) {
        admitted++;
      }
    }
    assertEquals((4 * MIB - many.size()) / (RESERVE - 1), admitted,
        "the process's budget, 4 MiB, bounds them together");
    assertTrue(budget.used() <= budget.limit());
  }

  @Test
  void tryTake_aConnectionThatHoldsNothing_mayTakeMoreThanItsShare_ifTheBudgetHasRoom() {
    Connection flooder = connection();
    Connection big = connection();
    assertTrue(shares.tryTake(flooder, MIB));
    assertTrue(shares.tryTake(big, 1));
    shares.recount(List.of(flooder, big), local);
    shares.release(big, 1);

    assertTrue(shares.tryTake(big, 2 * MIB), "one request over its share: " + shares.cap());
    assertFalse(shares.tryTake(big, 1), "and then nothing until it is under its share");
    assertFalse(shares.overShare(flooder, 1));
  }

  @Test
  void tryTake_theProcessBudgetFull_takesNothingForTheConnection() {
    Budget small = new Budget(64 * 1024);
    InboundShares smallShares = new InboundShares(small);
    Connection c = connection();
    assertTrue(small.tryTake(60 * 1024)); // answers, say, that count against the budget too

    assertFalse(smallShares.tryTake(c, 8 * 1024));

    assertEquals(0, c.heldWork());
    assertEquals(60 * 1024, small.used());
    assertEquals(48 * 1024, smallShares.cap(), "a quarter kept in reserve under 1 MiB");
  }
}
