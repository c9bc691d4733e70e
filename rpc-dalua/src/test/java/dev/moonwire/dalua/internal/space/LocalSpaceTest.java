package dev.moonwire.dalua.internal.space;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.Lease;
import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.SerializationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** TupleSpace.local(): matching, order, waits, cancellation, leases and limits. */
class LocalSpaceTest {
  private final ManualScheduler clock = new ManualScheduler();
  private final LocalSpace ts = new LocalSpace("t", SpaceLimits.DEFAULT, clock);

  record Job(int id, String what) {}

  @Test
  void in_severalMatch_takesTheOldest() {
    ts.out(Tuple.of("job", 1));
    ts.out(Tuple.of("job", 2));
    ts.out(Tuple.of("job", 3));
    assertEquals(Tuple.of("job", 1), ts.in(Template.of("job", Integer.class)));
    assertEquals(Tuple.of("job", 2), ts.in(Template.of("job", Template.ANY)));
    assertEquals(2, ts.size() + 1);
  }

  @Test
  void matching_valueClassAnyAndLiteral_asDesigned() {
    ts.out(Tuple.of("a", 1L, new Job(1, "x")));
    ts.out(Tuple.of("b", Integer.class.getName(), 2));
    assertTrue(ts.rdp(Template.of("a", Number.class, Record.class)).isPresent(), "subtypes match");
    assertTrue(ts.rdp(Template.of("a", long.class, Job.class)).isPresent(), "primitive = boxed");
    assertTrue(ts.rdp(Template.of("a", Integer.class, Template.ANY)).isEmpty(), "Long is no Integer");
    assertTrue(ts.rdp(Template.of("a", Template.ANY)).isEmpty(), "sizes differ");
    assertTrue(ts.rdp(Template.of(Template.ANY, Template.ANY, new Job(1, "x"))).isPresent());
    ts.out(Tuple.of("c", new int[] {1, 2}));
    assertTrue(ts.rdp(Template.of("c", new int[] {1, 2})).isPresent(), "arrays by content");
    assertTrue(ts.rdp(Template.of(Template.value(Template.ANY))).isEmpty());
  }

  @Test
  void rd_match_leavesTheTuple() {
    ts.out(Tuple.of("x", 1));
    assertEquals(Tuple.of("x", 1), ts.rd(Template.of("x", Integer.class)));
    assertEquals(Optional.of(Tuple.of("x", 1)), ts.inp(Template.of("x", 1)));
    assertEquals(Optional.empty(), ts.inp(Template.of("x", 1)));
    assertEquals(Optional.empty(), ts.rdp(Template.of("x", 1)));
  }

  @Test
  void in_nothingYet_waitsUntilAnOutMatches() {
    CompletableFuture<Tuple> got = CompletableFuture.supplyAsync(() -> ts.in(Template.of("k", Integer.class)));
    await().until(() -> ts.waiting() == 1);
    ts.out(Tuple.of("other", 1));
    assertFalse(got.isDone());
    ts.out(Tuple.of("k", 5));
    assertEquals(Tuple.of("k", 5), got.join());
    assertEquals(1, ts.size(), "the non-matching tuple stays; the matching one was taken");
  }

  @Test
  void waitingIns_oneOut_servedOldestFirst_rdsAllServed() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    Thread reader = Thread.ofVirtual().start(() -> order.add("rd " + ts.rd(Template.of("k", Template.ANY))));
    await().until(() -> ts.waiting() == 1);
    Thread first = Thread.ofVirtual().start(() -> order.add("first " + ts.in(Template.of("k", Template.ANY))));
    await().until(() -> ts.waiting() == 2);
    Thread second = Thread.ofVirtual().start(() -> order.add("second " + ts.in(Template.of("k", Template.ANY))));
    await().until(() -> ts.waiting() == 3);
    ts.out(Tuple.of("k", 1));
    reader.join();
    first.join();
    // one out served both (the two threads record it in either order)
    assertEquals(java.util.Set.of("rd (k, 1)", "first (k, 1)"), java.util.Set.copyOf(order));
    assertEquals(1, ts.waiting(), "the younger in still waits");
    ts.out(Tuple.of("k", 2));
    second.join();
    assertEquals("second (k, 2)", order.get(2));
    assertEquals(0, ts.size());
  }

  @Test
  void in_cancelled_withdrawsAndTakesNothing() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = Thread.ofVirtual().start(() -> {
      try {
        ts.in(Template.of("k", Template.ANY));
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    await().until(() -> ts.waiting() == 1);
    t.interrupt();
    t.join();
    assertTrue(failure.get() instanceof CancelledException, String.valueOf(failure.get()));
    assertEquals(0, ts.waiting());
    ts.out(Tuple.of("k", 1));
    assertEquals(1, ts.size(), "nobody took it for the cancelled in");
  }

  /**
   * An interrupt racing the out that serves the waiting in: either the in returns the tuple (and
   * keeps the interrupt) or it throws and the tuple is in the space — never lost, never both.
   */
  @Test
  void in_cancelledWhileServed_tupleNeverLost() throws Exception {
    for (int i = 0; i < 2_000; i++) {
      LocalSpace s = new LocalSpace("race", SpaceLimits.DEFAULT, clock);
      AtomicReference<Tuple> got = new AtomicReference<>();
      Thread t = Thread.ofVirtual().start(() -> {
        try {
          got.set(s.in(Template.of("k", Template.ANY)));
        } catch (CancelledException e) {
          // withdrawn
        }
      });
      while (s.waiting() == 0) {
        Thread.onSpinWait();
      }
      Thread outer = Thread.ofVirtual().start(() -> s.out(Tuple.of("k", 1)));
      t.interrupt();
      outer.join();
      t.join();
      int present = s.size() + (got.get() == null ? 0 : 1);
      assertEquals(1, present, "round " + i + ": the tuple was " + (present == 0 ? "lost" : "doubled"));
      assertEquals(0, s.waiting());
    }
  }

  @Test
  void inWithTimeout_nothingComes_emptyAndWithdrawn() {
    CompletableFuture<Optional<Tuple>> got = CompletableFuture.supplyAsync(
        () -> ts.in(Template.of("k"), Duration.ofSeconds(5)));
    await().until(() -> ts.waiting() == 1);
    clock.advance(Duration.ofSeconds(5));
    assertEquals(Optional.empty(), got.join());
    assertEquals(0, ts.waiting());
    ts.out(Tuple.of("k"));
    assertEquals(1, ts.size());
  }

  @Test
  void inWithTimeout_outComesFirst_returnsIt() {
    CompletableFuture<Optional<Tuple>> got = CompletableFuture.supplyAsync(
        () -> ts.in(Template.of("k"), Duration.ofSeconds(5)));
    await().until(() -> ts.waiting() == 1);
    ts.out(Tuple.of("k"));
    assertEquals(Optional.of(Tuple.of("k")), got.join());
    await().until(() -> clock.pending() == 0);
  }

  @Test
  void leaseOf_durationPassed_tupleGone() {
    ts.out(Tuple.of("offer", 3), Lease.of(Duration.ofMinutes(1)));
    ts.out(Tuple.of("offer", 4));
    clock.advance(Duration.ofSeconds(59));
    assertEquals(2, ts.size());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of(Tuple.of("offer", 4)), ts.rdp(Template.of("offer", Integer.class)));
    assertEquals(1, ts.size());
  }

  @Test
  void leaseOf_takenBeforeExpiry_timerCancelled() {
    ts.out(Tuple.of("offer", 3), Lease.of(Duration.ofMinutes(1)));
    assertTrue(ts.inp(Template.of("offer", 3)).isPresent());
    assertEquals(0, clock.pending());
  }

  @Test
  void out_full_overloadedNamingSpaceAndLimit() {
    TupleSpace small = new LocalSpace("small", SpaceLimits.of(2, 1 << 20), clock);
    small.out(Tuple.of(1));
    small.out(Tuple.of(2));
    OverloadedException e = assertThrows(OverloadedException.class, () -> small.out(Tuple.of(3)));
    assertTrue(e.getMessage().contains("'small'") && e.getMessage().contains("limit: 2 tuples"),
        e.getMessage());
    assertEquals(2, small.size());
    TupleSpace tiny = new LocalSpace("tiny", SpaceLimits.of(100, 200), clock);
    assertThrows(OverloadedException.class, () -> tiny.out(Tuple.of("x".repeat(100))));
    assertEquals(0, tiny.size());
  }

  @Test
  void out_fieldCannotCrossTheWire_serializationExceptionNamingIt() {
    SerializationException e = assertThrows(SerializationException.class,
        () -> ts.out(Tuple.of("x", new Object())));
    assertTrue(e.getMessage().contains("java.lang.Object") && e.getMessage().contains("field 1"),
        e.getMessage());
    assertThrows(SerializationException.class,
        () -> ts.out(Tuple.of("x", List.of(new StringBuilder("y")))));
    ts.out(Tuple.of("x", List.of(1, 2), new Job(1, "ok"), new byte[3]));
    assertEquals(1, ts.size());
  }

  @Test
  void out_waitingInTakesIt_notStoredEvenWhenFull() {
    LocalSpace one = new LocalSpace("one", SpaceLimits.of(1, 1 << 20), clock);
    one.out(Tuple.of("filler"));
    CompletableFuture<Tuple> got = CompletableFuture.supplyAsync(() -> one.in(Template.of("k")));
    await().until(() -> one.waiting() == 1);
    one.out(Tuple.of("k"));
    assertEquals(Tuple.of("k"), got.join());
  }
}
