package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.internal.mutex.MutexPeer;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.Faults;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ricart &amp; Agrawala under random delays and reordering (every frame a process receives is
 * held 0..MAX ms, from a fixed seed): safety, liveness, timestamp order, 2(n−1) messages.
 */
class MutexTest extends ProcessTestSupport {
  private static final int ENTRIES = 8;

  /** One critical-section entry: the request's (timestamp, process), in the order entered. */
  record Entry(long ts, ProcessId by) {}

  /**
   * {@code n} members, each with the per-process fault hook {@code faults}
   * ({@code SEED:MAXMS[:DROPPERCENT]}): what it receives held 0..MAXMS ms, DROPPERCENT% of the
   * one-way sends it receives lost.
   */
  private List<Dalua> members(int n, String faults) {
    String[] f = faults.split(":", -1);
    List<Dalua> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RpcProcess p = open();
      ((RuntimeProcess) p).injectFaults(Faults.seeded(Long.parseLong(f[0]),
          Integer.parseInt(f[1]), f.length > 2 ? Integer.parseInt(f[2]) : 0));
      all.add(Dalua.attach(p, Directory.local()));
    }
    return all;
  }

  @ParameterizedTest(name = "{0} members, faults {1}")
  @CsvSource({"3, 42:15", "5, 7:10", "3, 1234:30", "3, 99:10:10"}) // the last loses 10% of sends
  void neverTwoInside_everyRequestGranted_inTimestampOrder_with2nMinus1MessagesEach(
      int n, String faults) {
    List<Dalua> all = members(n, faults);
    List<ProcessId> ids = all.stream().map(Dalua::self).toList();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    List<Entry> entries = new CopyOnWriteArrayList<>();
    List<RpcFuture<Object>> loops = new ArrayList<>();

    for (Dalua d : all) {
      Mutex m = d.mutex("printer", ids);
      loops.add(d.process().submit(() -> {
        for (int i = 0; i < ENTRIES; i++) {
          m.enter(); // suspends until granted
          int now = inside.incrementAndGet();
          mostInside.accumulateAndGet(now, Math::max);
          entries.add(new Entry(m.grantedTimestamp(), d.self()));
          d.process().sleep(Duration.ofMillis(1)); // hold it across other events
          inside.decrementAndGet();
          m.leave();
        }
        return null;
      }));
    }
    loops.forEach(RpcFuture::join);

    assertEquals(1, mostInside.get(), "two members in the critical section at once");
    assertEquals(n * ENTRIES, entries.size());
    for (int i = 1; i < entries.size(); i++) {
      Entry a = entries.get(i - 1);
      Entry b = entries.get(i);
      assertTrue(a.ts() < b.ts() || (a.ts() == b.ts() && a.by().toString().compareTo(
          b.by().toString()) < 0), "entry " + i + " out of timestamp order: " + a + " then " + b);
    }
    long messages = all.stream().mapToLong(d -> d.mutex("printer", ids).messagesSent()).sum();
    assertEquals(2L * (n - 1) * n * ENTRIES, messages);
  }

  @ParameterizedTest(name = "{0} members, faults {1}")
  @CsvSource({"3, 42:15", "5, 7:10", "3, 99:10:10"})
  void fencingToken_successiveHoldersAcrossMembers_strictlyIncrease(int n, String faults) {
    List<Dalua> all = members(n, faults);
    List<ProcessId> ids = all.stream().map(Dalua::self).toList();
    List<Long> tokens = new CopyOnWriteArrayList<>(); // in grant order: added inside the mutex
    List<RpcFuture<Object>> loops = new ArrayList<>();
    for (Dalua d : all) {
      Mutex m = d.mutex("fenced", ids);
      loops.add(d.process().submit(() -> {
        for (int i = 0; i < ENTRIES; i++) {
          m.enter(); // all ask at once at first: requests with one stamp, granted in turn
          tokens.add(m.fencingToken());
          d.process().sleep(Duration.ofMillis(1));
          m.leave();
        }
        return null;
      }));
    }
    loops.forEach(RpcFuture::join);

    assertEquals(n * ENTRIES, tokens.size());
    for (int i = 1; i < tokens.size(); i++) {
      assertTrue(tokens.get(i - 1) < tokens.get(i), "grant " + i + " has token "
          + tokens.get(i) + " after " + tokens.get(i - 1) + ": " + tokens);
    }
  }

  @Test
  void fencingToken_notHeld_throwsIllegalState() {
    List<Dalua> all = members(2, "1:1");
    List<ProcessId> ids = all.stream().map(Dalua::self).toList();
    Mutex m = all.get(0).mutex("fenced", ids);
    all.get(1).mutex("fenced", ids);
    assertThrows(IllegalStateException.class, m::fencingToken);
    m.enter();
    long token = m.fencingToken();
    assertTrue(token > 0, "token " + token);
    m.leave();
    assertThrows(IllegalStateException.class, m::fencingToken);
  }

  @Test
  void enterWithACriticalSection_runsItAsAnEventWhenGranted() {
    List<Dalua> all = members(3, "5:10");
    List<ProcessId> ids = all.stream().map(Dalua::self).toList();
    List<String> order = new CopyOnWriteArrayList<>();
    for (Dalua d : all) {
      Mutex m = d.mutex("cs", ids);
      m.enter(() -> {
        order.add("in " + d.self());
        order.add("out " + d.self());
        m.leave();
      });
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> order.size() == 6);
    for (int i = 0; i < 6; i += 2) {
      assertEquals(order.get(i).substring(3), order.get(i + 1).substring(4), order.toString());
    }
    assertThrows(IllegalStateException.class, () -> all.get(0).mutex("cs", ids).leave());
  }

  @Test
  void aMemberJvmSigkilledInTheCriticalSection_isRemoved_andTheOthersGetIn() {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    ProcessId child = a.process().spawn(1, MutexMember.class).get(0);
    List<ProcessId> ids = List.of(a.self(), b.self(), child);
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    assertEquals("holding", a.process().sync(child, "hold").call(ids));
    RpcFuture<Object> waitingA = a.process().submit(() -> {
      ma.enter();
      ma.leave();
      return "a in";
    });
    RpcFuture<Object> waitingB = b.process().submit(() -> {
      mb.enter();
      mb.leave();
      return "b in";
    });
    long pid = a.process().sync(child, "pid").call();

    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, inside the section

    assertEquals("a in", waitingA.join());
    assertEquals("b in", waitingB.join());
    assertTrue(!ma.others().contains(child) && !mb.others().contains(child));
    onlySendsToTheDeadFailed(child);
  }

  @Test
  void aMemberJvmSigkilledOnALiveHost_isSeenGoneWellUnderTheDetectorsBound() throws Exception {
    Dalua a = Dalua.attach(open(), Directory.local());
    ProcessId child = a.process().spawn(1, MutexMember.class).get(0);
    List<ProcessId> ids = List.of(a.self(), child);
    Mutex ma = a.mutex("m", ids);
    assertEquals("holding", a.process().sync(child, "hold").call(ids));
    RpcFuture<Object> waiting = a.process().submit(() -> {
      ma.enter();
      ma.leave();
      return "a in";
    });
    long pid = a.process().sync(child, "pid").call();
    await().atMost(Duration.ofSeconds(5)).until(() -> ma.requestsResent() > 0); // a waits

    long killed = System.nanoTime();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: its port refuses at once

    assertEquals("a in", waiting.get(30, java.util.concurrent.TimeUnit.SECONDS));
    Duration took = Duration.ofNanos(System.nanoTime() - killed);
    assertTrue(took.compareTo(dev.moonwire.dalua.internal.Liveness.GONE_AFTER
        .minusMillis(1500)) < 0, "granted " + took.toMillis() + " ms after the kill");
    onlySendsToTheDeadFailed(child);
  }

  @Test
  void aMemberThatDies_isRemoved_andTheOthersGetIn() {
    List<Dalua> all = members(3, "9:5");
    List<ProcessId> ids = all.stream().map(Dalua::self).toList();
    Mutex waiter = all.get(0).mutex("m", ids);
    all.get(1).mutex("m", ids);
    Mutex holder = all.get(2).mutex("m", ids);
    holder.enter(); // member 2 holds the mutex (granted once the others have made it) ...
    RpcFuture<Object> waiting = all.get(0).process().submit(() -> {
      waiter.enter();
      waiter.leave();
      return "in";
    });

    all.get(2).process().close(); // ... and dies without leaving

    assertEquals("in", waiting.join());
    assertTrue(!waiter.others().contains(ids.get(2)));
    onlySendsToTheDeadFailed(ids.get(2));
  }

  @Test
  void aRequestLostOnTheWay_isSentAgain_andTheMemberGetsIn() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort(); // b's address, where nobody listens yet
    }
    ProcessId bAt = ProcessId.of("127.0.0.1", port);
    Dalua a = Dalua.attach(open(), Directory.local());
    Mutex ma = a.mutex("m", List.of(a.self(), bAt));
    RpcFuture<Object> entered = a.process().submit(() -> {
      ma.enter();
      ma.leave();
      return "a in";
    });
    // a's request to b cannot be sent: it is reported, and lost
    await().atMost(Duration.ofSeconds(10)).until(() -> !uncaught.isEmpty());
    assertTrue(takeUncaught().get(0).getMessage().contains(Mutex.REQUEST));

    Dalua b = Dalua.attach(open(dev.moonwire.rpc.RpcConfig.defaults().withPort(port)),
        Directory.local());
    b.mutex("m", List.of(a.self(), b.self()));

    assertEquals("a in", entered.get(15, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(ma.requestsResent() >= 1, "the request went again");
    assertTrue(ma.others().contains(bAt), "b was only late, never dropped");
  }

  @Test
  void aMemberThatIsOnlySlow_isWaitedFor_notDropped() {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<ProcessId> ids = List.of(a.self(), b.self());
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    mb.enter();
    CountDownLatch busy = new CountDownLatch(1);
    b.process().execute(() -> { // b answers nothing for a while (a long GC, a busy event) ...
      try {
        busy.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicBoolean aInside = new AtomicBoolean();
    RpcFuture<Object> waiting = a.process().submit(() -> {
      ma.enter();
      aInside.set(true);
      ma.leave();
      return "a in";
    });

    // ... for longer than two pings: b still holds the mutex, so a must not get in
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilFalse(aInside);
    busy.countDown();
    mb.leave();

    assertEquals("a in", waiting.join());
    assertTrue(ma.others().contains(b.self()), "a live member was dropped");
  }

  @Test
  void aWaiterInterrupted_throwsCancelled_holdsNothing_andTheNextGetsIn() throws Exception {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    Dalua c = Dalua.attach(open(), Directory.local());
    List<ProcessId> ids = List.of(a.self(), b.self(), c.self());
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    Mutex mc = c.mutex("m", ids);
    ma.enter();
    java.util.concurrent.CompletableFuture<String> outcome =
        new java.util.concurrent.CompletableFuture<>();
    Thread waiter = Thread.ofPlatform().start(() -> { // b waits outside any event
      try {
        mb.enter();
        outcome.complete("entered");
      } catch (dev.moonwire.rpc.CancelledException e) {
        outcome.complete("cancelled");
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.WAITING);
    RpcFuture<Object> cWaits = c.process().submit(() -> {
      mc.enter();
      mc.leave();
      return "c in";
    });

    waiter.interrupt();
    assertEquals("cancelled", outcome.get(5, java.util.concurrent.TimeUnit.SECONDS));
    ma.leave();

    assertEquals("c in", cWaits.join()); // b's turn, granted after it left, was passed on
    await().atMost(Duration.ofSeconds(5)).untilAsserted(
        () -> assertThrows(IllegalStateException.class, mb::leave, "b must not hold it"));
  }

  @Test
  void aRequestWithATimestampThatWouldWrapTheClock_isRefused_andTheMutexStillWorks() {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<ProcessId> ids = List.of(a.self(), b.self());
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    RpcProcess rogue = open();

    rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class)
        .request(new MutexPeer.Request("m", Long.MAX_VALUE, rogue.id(), 0));

    await().atMost(Duration.ofSeconds(5)).until(() -> !uncaught.isEmpty());
    Throwable refused = takeUncaught().get(0);
    assertInstanceOf(IllegalArgumentException.class, refused);
    assertTrue(refused.getMessage().contains("timestamp"), refused.getMessage());
    RpcFuture<Object> both = b.process().submit(() -> {
      mb.enter();
      mb.leave();
      return "b in";
    });
    ma.enter();
    ma.leave();
    assertEquals("b in", both.join());
  }

  @Test
  void requestsForMutexesNeverMade_pastTheCap_areRefused_neverAnsweredOk() {
    Dalua a = Dalua.attach(open(), Directory.local());
    RpcProcess flooder = open();
    AtomicInteger oks = new AtomicInteger();
    flooder.export(MutexPeer.PREFIX, MutexPeer.class, new OkRecorder(ok -> oks.incrementAndGet()));
    int cap = 10_000;

    for (int i = 0; i < cap + 5; i++) {
      flooder.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class)
          .request(new MutexPeer.Request("never-" + i, 1L, flooder.id(), 0));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> uncaught.size() >= 5);
    assertTrue(takeUncaught().stream().allMatch(t -> t instanceof IllegalStateException
        && t.getMessage().contains("mutexes not made here")));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> oks.get() == 0); // an OK unasked could let two in
  }

  @Test
  void aRequestSentAgainAndAgain_beforeTheMutexIsMade_takesOnePlace_andIsAnsweredOnce() {
    Dalua a = Dalua.attach(open(), Directory.local());
    RpcProcess peer = open();
    List<Long> oks = new CopyOnWriteArrayList<>();
    peer.export(MutexPeer.PREFIX, MutexPeer.class, new OkRecorder(ok -> oks.add(ok.timestamp())));

    for (int i = 0; i < 10_005; i++) { // a waiting member sends its request again each second
      peer.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class)
          .request(new MutexPeer.Request("late", 7L, peer.id(), 0));
    }
    peer.sync(a.self(), Dalua.ALIVE).call(); // after the sends on the same connection
    a.mutex("late", List.of(a.self(), peer.id()));

    await().atMost(Duration.ofSeconds(10)).until(() -> oks.size() == 1);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> oks.size() == 1);
    assertEquals(List.of(7L), oks);
    assertTrue(uncaught.isEmpty(), "refused: " + uncaught);
  }

  /** A raw peer's end of the mutex protocol: records the OKs it is sent, ignores requests. */
  record OkRecorder(java.util.function.Consumer<MutexPeer.Ok> oks) implements MutexPeer {
    @Override
    public void request(Request request) {}

    @Override
    public void ok(Ok ok) {
      oks.accept(ok);
    }
  }

  /** Requests sent to a member as it died are reported, not lost silently: nothing else is. */
  private void onlySendsToTheDeadFailed(ProcessId dead) {
    for (Throwable e : takeUncaught()) {
      assertInstanceOf(PeerUnavailableException.class, e);
      assertTrue(e.getMessage().contains(dead.toString()), e.getMessage());
    }
  }
}
