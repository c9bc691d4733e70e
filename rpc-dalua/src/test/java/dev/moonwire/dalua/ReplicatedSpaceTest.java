package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** dalua.space(group): a tuple space replicated on a group's members through its total order. */
@org.junit.jupiter.api.Timeout(90)
class ReplicatedSpaceTest extends ProcessTestSupport {
  /** Tuples in the concurrent-take test; {@code -Dmoonwire.space.tuples=10000} for the full run. */
  private static final int TUPLES = Integer.getInteger("moonwire.space.tuples", 3_000);
  private static final AtomicInteger GROUPS = new AtomicInteger();

  /** {@code n} members of a new group (local directory), each with its copy of the space. */
  private List<TupleSpace> spaces(int n, String group, List<Dalua> members) {
    List<TupleSpace> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Dalua d = Dalua.attach(open(), Directory.local());
      if (i == 0) {
        d.apps().create(group);
      }
      d.apps().join(group);
      members.add(d);
    }
    for (Dalua d : members) {
      all.add(d.space(group));
    }
    return all;
  }

  private static String group() {
    return "space" + GROUPS.incrementAndGet();
  }

  @Test
  void space_notAMember_groupException() {
    String g = group();
    Dalua a = Dalua.attach(open(), Directory.local());
    a.apps().create(g);
    GroupException e = assertThrows(GroupException.class, () -> a.space(g));
    assertTrue(e.getMessage().contains("not a member"), e.getMessage());
    assertThrows(GroupException.class, () -> a.space("no such group " + g));
  }

  @Test
  void out_atOneMember_seenAtEvery_takenOnce() {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(3, group(), members);
    ts.get(0).out(Tuple.of("job", 1, "resize"));
    for (TupleSpace s : ts) {
      await().until(() -> s.size() == 1);
      assertEquals(Optional.of(Tuple.of("job", 1, "resize")),
          s.rdp(Template.of("job", Integer.class, Template.ANY)));
    }
    assertEquals(Tuple.of("job", 1, "resize"), ts.get(2).in(Template.of("job", 1, String.class)));
    assertEquals(Optional.empty(), ts.get(1).inp(Template.of("job", Template.ANY, Template.ANY)));
    for (TupleSpace s : ts) {
      await().until(() -> s.size() == 0);
    }
  }

  @Test
  void in_waitingAtOneMember_servedByAnOutAtAnother() {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, group(), members);
    CompletableFuture<Tuple> waiting = members.get(0).process()
        .submit(() -> ts.get(0).in(Template.of("result", Integer.class))).toCompletableFuture();
    await().during(Duration.ofMillis(200)).until(() -> !waiting.isDone());
    ts.get(1).out(Tuple.of("result", 42));
    assertEquals(Tuple.of("result", 42), waiting.join());
    assertEquals(0, ts.get(1).size());
  }

  @Test
  void threeMembers_takeConcurrently_eachTupleExactlyOnce() throws Exception {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(3, group(), members);
    ConcurrentLinkedQueue<Integer> taken = new ConcurrentLinkedQueue<>();
    AtomicInteger takenCount = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      TupleSpace s = ts.get(m);
      int first = m;
      threads.add(Thread.ofVirtual().start(() -> { // writers: every member writes a third
        for (int i = first; i < TUPLES; i += 3) {
          s.out(Tuple.of("t", i));
        }
      }));
      for (int k = 0; k < 4; k++) { // takers: four at each member, concurrently
        threads.add(Thread.ofVirtual().start(() -> {
          long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
          while (takenCount.get() < TUPLES && System.nanoTime() < deadline) {
            s.in(Template.of("t", Integer.class), Duration.ofMillis(500)).ifPresent(t -> {
              taken.add(t.get(1, Integer.class));
              takenCount.incrementAndGet();
            });
          }
        }));
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    Set<Integer> distinct = new HashSet<>(taken);
    assertEquals(TUPLES, distinct.size(), "every tuple taken");
    assertEquals(TUPLES, taken.size(), "none taken twice");
    for (TupleSpace s : ts) {
      assertEquals(0, s.size());
    }
  }

  @Test
  void lateJoiner_midTraffic_receivesTheTuplesBeforeItsFirstOperation() throws Exception {
    String g = group();
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, g, members);
    int n = 400;
    Thread writer = Thread.ofVirtual().start(() -> {
      for (int i = 0; i < n; i++) {
        ts.get(0).out(Tuple.of("x", i));
      }
    });
    ConcurrentLinkedQueue<Integer> takenByB = new ConcurrentLinkedQueue<>();
    Thread taker = Thread.ofVirtual().start(() -> {
      for (int i = 0; i < n / 4; i++) {
        takenByB.add(ts.get(1).in(Template.of("x", Integer.class)).get(1, Integer.class));
      }
    });
    await().until(() -> ts.get(1).size() > n / 10); // traffic under way
    Dalua c = Dalua.attach(open(), Directory.local());
    c.apps().join(g);
    TupleSpace late = c.space(g);
    late.out(Tuple.of("from late", 1)); // its first operation waits for the state
    writer.join();
    taker.join();
    for (TupleSpace s : List.of(ts.get(0), ts.get(1), late)) {
      await().until(() -> s.size() == n - n / 4 + 1);
    }
    Set<Integer> rest = new HashSet<>();
    for (Optional<Tuple> t = late.inp(Template.of("x", Integer.class)); t.isPresent();
        t = late.inp(Template.of("x", Integer.class))) {
      rest.add(t.get().get(1, Integer.class));
    }
    Set<Integer> all = new HashSet<>(rest);
    all.addAll(takenByB);
    assertEquals(n - n / 4, rest.size());
    assertEquals(n, all.size(), "the late member holds exactly what was not taken");
    assertEquals(Optional.of(Tuple.of("from late", 1)), ts.get(0).rdp(Template.of("from late", 1)));
  }

  @Test
  void leaseOf_ends_atEveryMember() {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(3, group(), members);
    ts.get(1).out(Tuple.of("offer", 3), Lease.of(Duration.ofMillis(300)));
    ts.get(1).out(Tuple.of("offer", 4));
    for (TupleSpace s : ts) {
      await().atMost(Duration.ofSeconds(10)).until(() -> s.size() == 1);
      assertEquals(Optional.of(Tuple.of("offer", 4)), s.rdp(Template.of("offer", Integer.class)));
    }
  }

  @Test
  void memberLeaves_itsWhileAliveTuplesGo_itsLoanComesBack() {
    String g = group();
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, g, members);
    TupleSpace a = ts.get(0);
    TupleSpace b = ts.get(1);
    a.out(Tuple.of("job", 1));
    a.out(Tuple.of("job", 2));
    b.out(Tuple.of("worker", "b"), Lease.whileAlive());
    Taken job = b.take(Template.of("job", Integer.class));
    assertEquals(Tuple.of("job", 1), job.tuple());
    await().until(() -> a.size() == 2); // (job, 2) and (worker, b): the loan is out
    assertEquals(Optional.of(Tuple.of("job", 2)), a.rdp(Template.of("job", Integer.class)));

    members.get(1).apps().leave(g);

    await().atMost(Duration.ofSeconds(10))
        .until(() -> a.rdp(Template.of("worker", Template.ANY)).isEmpty());
    assertEquals(Optional.of(Tuple.of("job", 1)), a.inp(Template.of("job", Integer.class)),
        "the loan came back as old as it was");
    assertThrows(GroupException.class, () -> b.out(Tuple.of("late", 1)));
  }

  @Test
  void waitingIn_memberLeaves_failsGroupException_andLaterCallsFailAtOnce() throws Exception {
    String g = group();
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, g, members);
    TupleSpace b = ts.get(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        b.in(Template.of("never", Integer.class));
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    await().during(Duration.ofMillis(200)).until(waiter::isAlive);

    members.get(1).apps().leave(g);

    waiter.join(Duration.ofSeconds(10));
    assertFalse(waiter.isAlive(), "the waiting in still hangs after its member left");
    assertTrue(failure.get() instanceof GroupException, String.valueOf(failure.get()));
    assertThrows(GroupException.class, () -> b.rdp(Template.of("never", Integer.class)));
    assertThrows(GroupException.class, () -> b.in(Template.of("never", Integer.class)));
  }

  @Test
  void out_tupleLargerThanTheOrderCanHold_overloadedNamingTheSpace_andTheWriterGoesOn() {
    String g = group();
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, g, members);
    Tuple huge = Tuple.of("blob", "x".repeat(5 << 20));
    OverloadedException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(20), () -> assertThrows(OverloadedException.class,
            () -> ts.get(0).out(huge)), "the huge out was never refused");
    assertTrue(e.getMessage().contains("'" + g + "'"), e.getMessage());
    ts.get(0).out(Tuple.of("after", 1));
    await().until(() -> ts.get(1).rdp(Template.of("after", 1)).isPresent());
  }

  @Test
  void takeDone_thenMemberLeaves_nothingComesBack() {
    String g = group();
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, g, members);
    ts.get(0).out(Tuple.of("job", 1));
    Taken job = ts.get(1).take(Template.of("job", Integer.class));
    job.done();
    members.get(1).apps().leave(g);
    ts.get(0).out(Tuple.of("marker"));
    await().until(() -> ts.get(0).rdp(Template.of("marker")).isPresent());
    await().during(Duration.ofMillis(500)).until(() -> ts.get(0).size() == 1);
  }

  @Test
  void memberJvmSigkilled_whileAliveTuplesGo_takenOnLoanComesBack() {
    RpcProcess hub = open();
    String g = group();
    Dalua.attach(hub, Directory.hostedBy(hub.id())).apps().create(g);
    Dalua a = Dalua.attach(open(), Directory.hostedBy(hub.id()));
    a.apps().join(g);
    TupleSpace ts = a.space(g);
    ts.out(Tuple.of("job", 7));
    ProcessId child = hub.spawn(1, SpaceMember.class, hub.id().toString(), g).get(0);
    await().atMost(Duration.ofSeconds(20)).until(() -> a.apps().processes(g).contains(child));
    assertEquals("holding (job, 7)", a.process().sync(child, "work").call());
    await().until(() -> ts.size() == 3); // three whileAlive tuples; the job is on loan
    assertEquals(Optional.empty(), ts.rdp(Template.of("job", Integer.class)));
    long pid = a.process().sync(child, "pid").call();

    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: nobody says goodbye

    await().atMost(Duration.ofSeconds(30))
        .until(() -> ts.rdp(Template.of("job", Integer.class)).isPresent());
    await().atMost(Duration.ofSeconds(5)).until(() -> ts.size() == 1);
    assertEquals(Optional.of(Tuple.of("job", 7)), ts.inp(Template.of("job", Integer.class)));
    for (Throwable e : takeUncaught()) { // the total order's sends to the dead, before its verdict
      assertTrue(e instanceof dev.moonwire.rpc.PeerUnavailableException
          && e.getMessage().contains(child.toString()), String.valueOf(e));
    }
  }

  @Test
  void waitingIn_cancelled_withdrawsEverywhere_andTakesNothing() throws Exception {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, group(), members);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = Thread.ofVirtual().start(() -> {
      try {
        ts.get(0).in(Template.of("k", Integer.class));
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    await().during(Duration.ofMillis(200)).until(t::isAlive);
    t.interrupt();
    t.join();
    assertTrue(failure.get() instanceof CancelledException, String.valueOf(failure.get()));
    ts.get(1).out(Tuple.of("k", 1));
    for (TupleSpace s : ts) {
      await().during(Duration.ofMillis(300)).until(() -> s.size() == 1);
    }
  }

  @Test
  void inWithTimeout_nothingComes_emptyAndTheLaterTupleStays() {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, group(), members);
    assertEquals(Optional.empty(), ts.get(0).in(Template.of("k"), Duration.ofMillis(200)));
    ts.get(1).out(Tuple.of("k"));
    await().during(Duration.ofMillis(300)).until(() -> ts.get(0).size() == 1);
  }

  /**
   * Ins cancelled at random while outs come: every tuple is either taken by an in that returned
   * it or still in the space — none taken for a caller that gave up.
   */
  @Test
  void insCancelledAtRandom_noTupleTakenForNobody() throws Exception {
    List<Dalua> members = new ArrayList<>();
    List<TupleSpace> ts = spaces(2, group(), members);
    int n = 150;
    AtomicInteger got = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      Thread t = Thread.ofVirtual().start(() -> {
        try {
          ts.get(0).in(Template.of("k", Integer.class));
          got.incrementAndGet();
        } catch (CancelledException e) {
          // withdrawn
        }
      });
      Thread.ofVirtual().start(() -> ts.get(1).out(Tuple.of("k", 1)));
      long until = System.nanoTime() + 50_000L * (i % 7); // a varying head start (spun)
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      t.interrupt();
      t.join();
    }
    for (TupleSpace s : ts) {
      await().atMost(Duration.ofSeconds(20)).until(() -> s.size() + got.get() == n);
    }
  }

  @Test
  void out_full_overloadedAtTheWriter_namingTheSpace() {
    String g = group();
    List<Dalua> members = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Dalua d = Dalua.attach(open(), Directory.local());
      if (i == 0) {
        d.apps().create(g);
      }
      d.apps().join(g);
      members.add(d);
    }
    TupleSpace a = members.get(0).space(g, SpaceLimits.of(2, 1 << 20));
    TupleSpace b = members.get(1).space(g, SpaceLimits.of(2, 1 << 20));
    a.out(Tuple.of(1));
    b.out(Tuple.of(2));
    OverloadedException e = assertThrows(OverloadedException.class, () -> b.out(Tuple.of(3)));
    assertTrue(e.getMessage().contains("'" + g + "'") && e.getMessage().contains("limit: 2"),
        e.getMessage());
    await().until(() -> a.size() == 2);
    assertFalse(a.rdp(Template.of(3)).isPresent());
    assertThrows(SerializationException.class, () -> a.out(Tuple.of(new Object())));
  }
}
