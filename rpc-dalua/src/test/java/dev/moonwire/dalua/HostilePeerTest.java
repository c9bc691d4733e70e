package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.internal.HeldBytes;
import dev.moonwire.dalua.internal.causal.CausalOrders;
import dev.moonwire.dalua.internal.causal.CausalPeer;
import dev.moonwire.dalua.internal.causal.CausalPeer.Since;
import dev.moonwire.dalua.internal.causal.CausalPeer.Source;
import dev.moonwire.dalua.internal.total.TotalOrders;
import dev.moonwire.dalua.internal.total.TotalPeer;
import dev.moonwire.dalua.internal.total.TotalPeer.Agreement;
import dev.moonwire.dalua.internal.total.TotalPeer.MessageId;
import dev.moonwire.dalua.internal.mutex.MutexPeer;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A peer that sends DALua's protocol frames as it likes — forged senders, endless gaps, made-up
 * groups — gets refusals (reported where they land) and grows no state past a fixed bound;
 * the mutex stays safe.
 */
class HostilePeerTest extends ProcessTestSupport {
  private void refusedAtLeast(int n, String saying) {
    await().atMost(Duration.ofSeconds(30)).until(() -> uncaught.size() >= n);
    List<Throwable> refused = takeUncaught();
    assertTrue(refused.stream().allMatch(t -> (t instanceof IllegalStateException || t instanceof IllegalArgumentException)
        && t.getMessage().contains(saying)), refused.get(0).toString());
  }

  /** A process that is a member of {@code app} and sends DALua's frames raw. */
  private RpcProcess member(String app) {
    RpcProcess p = open();
    Dalua.attach(p, Directory.local()).apps().join(app);
    return p;
  }

  @Test
  void anOkForAnotherRequest_doesNotLetAMemberIn() {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<ProcessId> ids = List.of(a.self(), b.self());
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    mb.enter();
    AtomicBoolean aInside = new AtomicBoolean();
    RpcFuture<Object> aWaits = a.process().submit(() -> {
      ma.enter();
      aInside.set(true);
      ma.leave();
      return "a in";
    });
    RpcProcess rogue = open();

    for (long ts : new long[] {0, 1000, 1001}) { // "OK from b" for requests a never made
      rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class).ok(new MutexPeer.Ok("m", b.self(), ts, 0, 0));
    }

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilFalse(aInside);
    mb.leave();
    assertEquals("a in", aWaits.join());
    takeUncaught(); // the forged OKs, refused
  }

  @Test
  void okForgedForAnotherMember_forTheWaitingRequest_isRefused_andDoesNotLetTheWaiterIn() {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<ProcessId> ids = List.of(a.self(), b.self());
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    mb.enter(); // b holds the mutex
    AtomicBoolean aInside = new AtomicBoolean();
    RpcFuture<Object> aWaits = a.process().submit(() -> {
      ma.enter();
      aInside.set(true);
      ma.leave();
      return "a in";
    });
    RpcProcess rogue = open();

    for (long ts = 0; ts <= 20; ts++) { // "OK from b" for every stamp a's request could have
      rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class).ok(new MutexPeer.Ok("m", b.self(), ts, 0, 0));
    }

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilFalse(aInside);
    List<Throwable> refused = takeUncaught();
    assertEquals(21, refused.size(), refused.toString());
    assertTrue(refused.stream().allMatch(t -> t instanceof IllegalArgumentException
        && t.getMessage().contains("it came from " + rogue.id())), refused.get(0).toString());
    mb.leave();
    assertEquals("a in", aWaits.join());
  }

  @Test
  void requestsFromForgedMembers_areRefused_andNoneIsDeferred() {
    Dalua a = Dalua.attach(open(), Directory.local());
    Mutex ma = a.mutex("m", List.of(a.self()));
    ma.enter(); // inside: a member's request would be deferred
    RpcProcess rogue = open();

    for (int i = 0; i < 5; i++) { // each from a member made up
      ProcessId forged = ProcessId.of("127.1." + (i >> 8) + "." + (i & 255), 7000);
      rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class)
          .request(new MutexPeer.Request("m", 1L, forged, 0));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> uncaught.size() >= 5);
    List<Throwable> refused = takeUncaught();
    assertTrue(refused.stream().allMatch(t -> t instanceof IllegalArgumentException
        && t.getMessage().contains("it came from " + rogue.id())), refused.get(0).toString());
    rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class) // as itself: not a member
        .request(new MutexPeer.Request("m", 1L, rogue.id(), 0));
    refusedAtLeast(1, "not a member");
    ma.leave(); // nothing deferred: no OK goes anywhere
  }

  @Test
  void requestWithTheLargestTimestamp_fromAStrangerOrForAMember_isRefused_andTheMutexGoesOn()
      throws Exception {
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<ProcessId> ids = List.of(a.self(), b.self());
    Mutex ma = a.mutex("m", ids);
    Mutex mb = b.mutex("m", ids);
    RpcProcess rogue = open();

    rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class) // a stranger
        .request(new MutexPeer.Request("m", Mutex.MAX_TIMESTAMP, rogue.id(), 0));
    rogue.send(List.of(a.self()), MutexPeer.PREFIX, MutexPeer.class) // "b", far ahead
        .request(new MutexPeer.Request("m", Mutex.MAX_TIMESTAMP, b.self(), 0));

    rogue.sync(a.self(), Dalua.ALIVE).call(); // after the sends on the same connection
    for (int i = 0; i < 3; i++) { // both still get in, in turn: neither clock was moved
      RpcFuture<Object> bIn = b.process().submit(() -> {
        mb.enter();
        mb.leave();
        return "b in";
      });
      RpcFuture<Object> aIn = a.process().submit(() -> {
        ma.enter();
        ma.leave();
        return "a in";
      });
      assertEquals("b in", bIn.get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals("a in", aIn.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> uncaught.size() >= 2);
    assertTrue(takeUncaught().stream().allMatch(t -> t instanceof IllegalArgumentException));
  }

  @Test
  void agreementWithTheLargestTimestamp_isRefused_andTotalOrderGoesOn() {
    String app = "agree-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<String> atA = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> atB = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.process().export("post", args -> atA.add(args.stringAt(0)));
    b.process().export("post", args -> atB.add(args.stringAt(0)));
    a.apps().create(app);
    a.apps().join(app);
    b.apps().join(app);
    RpcProcess rogue = member(app);
    rogue.export("post", args -> null); // it takes what the others multicast

    total(rogue, a).agree(new Agreement(app, new MessageId(rogue.id(), 1, 1),
        Mutex.MAX_TIMESTAMP, "z"));

    rogue.sync(a.self(), Dalua.ALIVE).call(); // after the send on the same connection
    a.total(app).send("post", "from a");
    b.total(app).send("post", "from b");
    await().atMost(Duration.ofSeconds(10)).until(() -> atA.size() == 2 && atB.size() == 2);
    assertEquals(atA, atB);
    await().atMost(Duration.ofSeconds(5)).until(() -> !uncaught.isEmpty());
    List<Throwable> refused = takeUncaught();
    assertTrue(refused.stream().allMatch(t -> t instanceof IllegalArgumentException
        && t.getMessage().contains("timestamp")), refused.toString());
  }

  @Test
  void totalOrderMessagesThatAreNeverAgreed_pastTheBound_areRefused() {
    String g = "never-agreed-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    a.apps().create(g);
    a.apps().join(g);
    RpcProcess rogue = member(g); // sends messages and never agrees them, and looks alive,
    rogue.export(TotalPeer.PREFIX, TotalPeer.class, new TotalMulticastTest.SilentPeer());
    // settling nothing when asked

    TotalPeer toA = total(rogue, a);
    for (int i = 0; i < TotalOrders.MAX_HELD + 5; i++) {
      toA.message(new TotalPeer.Message(g, new MessageId(rogue.id(), 1, i), "f", new Object[0]));
    }

    refusedAtLeast(5, "messages are held back here already");
    assertEquals(TotalOrders.MAX_HELD, a.multicasts.heldBack(g));
  }

  /** A fake source's answer when asked where its messages start: at 1, still running. */
  private static CausalPeer startsAtOne(long incarnation) {
    return new CausalPeer() {
      @Override
      public Taken message(CausalPeer.Message m) {
        return new Taken(incarnation);
      }

      @Override
      public Since since(Query q) {
        return new Since(incarnation, 1);
      }
    };
  }

  private static CausalPeer.Message causal(String app, Source from, long seq,
      Map<Source, Long> deps, String function, Object... args) {
    return new CausalPeer.Message(app, from, seq, 1, deps, function, args);
  }

  @Test
  void causalMessagesWithAGapNeverFilled_pastTheBound_areRefused() {
    String g = "gap-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    a.apps().create(g);
    a.apps().join(g);
    RpcProcess rogue = member(g);
    rogue.export(CausalPeer.PREFIX, CausalPeer.class, startsAtOne(5));
    Source source = new Source(rogue.id(), 5);

    CausalPeer toA = causal(rogue, a);
    for (int i = 0; i < CausalOrders.MAX_HELD + 5; i++) { // number 2 and on: 1 never comes
      toA.message(causal(g, source, 2L + i, Map.of(), "f"));
    }

    refusedAtLeast(5, "messages wait here already");
    assertEquals(CausalOrders.MAX_HELD, a.multicasts.heldBack(g));
  }

  @Test
  void causalMessagesWithAGapNeverFilled_pastTheByteBound_areRefused() {
    String g = "gap-bytes-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    a.apps().create(g);
    a.apps().join(g);
    RpcProcess rogue = member(g);
    rogue.export(CausalPeer.PREFIX, CausalPeer.class, startsAtOne(5));
    Source source = new Source(rogue.id(), 5);
    byte[] mib = new byte[1 << 20];

    CausalPeer toA = causal(rogue, a);
    for (int i = 0; i < 6; i++) { // 1 MiB each, number 2 and on: 1 never comes
      toA.message(causal(g, source, 2L + i, Map.of(), "f", (Object) mib));
    }

    refusedAtLeast(2, "bytes of messages wait here already");
    assertEquals(HeldBytes.MAX / (1 << 20) - 1, a.multicasts.heldBack(g)); // 3 of 4 MiB
  }

  @Test
  void multicastsFromANonMember_areRefused_andNeverDelivered() {
    String g = "closed-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    java.util.concurrent.atomic.AtomicInteger delivered =
        new java.util.concurrent.atomic.AtomicInteger();
    a.process().export("f", args -> delivered.incrementAndGet());
    a.apps().create(g);
    a.apps().join(g);
    RpcProcess rogue = open(); // not a member

    causal(rogue, a).message(causal(g, new Source(rogue.id(), 1), 1, Map.of(), "f"));
    MessageId id = new MessageId(rogue.id(), 1, 1);
    total(rogue, a).message(new TotalPeer.Message(g, id, "f", new Object[0]));
    total(rogue, a).agree(new Agreement(g, id, 1L, rogue.id().toString()));

    refusedAtLeast(3, "not a member");
    rogue.sync(a.self(), Dalua.ALIVE).call(); // after the sends on the same connection
    a.process().submit(() -> null).join(); // and after any delivery they queued
    assertEquals(0, delivered.get());
    assertEquals(0, a.multicasts.heldBack(g));
  }

  @Test
  void causalStampWithANullOrANegativeCount_isRefused_andCausalOrderGoesOn() {
    String app = "stamp-" + System.nanoTime();
    Dalua a = Dalua.attach(open(), Directory.local());
    Dalua b = Dalua.attach(open(), Directory.local());
    List<String> atA = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> atB = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.process().export("post", args -> atA.add(args.stringAt(0)));
    b.process().export("post", args -> atB.add(args.stringAt(0)));
    a.apps().create(app);
    a.apps().join(app);
    b.apps().join(app);
    RpcProcess rogue = member(app);
    rogue.export("post", args -> null); // it takes what the others multicast
    Source source = new Source(rogue.id(), 5);
    java.util.HashMap<Source, Long> withNull = new java.util.HashMap<>();
    withNull.put(new Source(b.self(), 9), null);

    CausalPeer toA = causal(rogue, a);
    toA.message(causal(app, source, 1, Map.of(new Source(b.self(), 9), -1L), "post", "negative"));
    toA.message(causal(app, source, 1, withNull, "post", "a null"));
    toA.message(new CausalPeer.Message(app, source, 1, 2, Map.of(), "post",
        new Object[] {"since past it"}));
    rogue.sync(a.self(), Dalua.ALIVE).call(); // after the sends on the same connection
    a.causal(app).send("post", "from a");
    b.causal(app).send("post", "from b");

    await().atMost(Duration.ofSeconds(10)).until(() -> atA.size() >= 2 && atB.size() >= 2);
    assertEquals(java.util.Set.of("from a", "from b"), java.util.Set.copyOf(atA));
    assertEquals(java.util.Set.of("from a", "from b"), java.util.Set.copyOf(atB));
    await().atMost(Duration.ofSeconds(5)).until(() -> uncaught.size() >= 3);
    assertTrue(takeUncaught().stream().allMatch(t -> t instanceof IllegalArgumentException
        && t.getMessage().contains("stamp")));
  }

  @Test
  void multicastsForMadeUpGroups_areRefused_andMakeNoState() {
    Dalua a = Dalua.attach(open(), Directory.local());
    RpcProcess rogue = open();

    CausalPeer toA = causal(rogue, a);
    for (int i = 0; i < CausalOrders.MAX_APPS + 5; i++) {
      toA.message(causal("group-" + i, new Source(rogue.id(), 1), 2, Map.of(), "f"));
    }

    await().atMost(Duration.ofSeconds(30))
        .until(() -> uncaught.size() >= CausalOrders.MAX_APPS + 5);
    refusedAtLeast(5, "not a member");
    assertEquals(0, a.multicasts.groups(), "no group exists: no state made for one");
  }

  private static TotalPeer total(RpcProcess from, Dalua to) {
    return from.send(List.of(to.self()), TotalPeer.PREFIX, TotalPeer.class);
  }

  /** Sends causal messages as one-way sends (a member calls, to learn what was taken). */
  private static CausalPeer causal(RpcProcess from, Dalua to) {
    from.send(List.of(), CausalPeer.PREFIX, CausalPeer.class); // registers its records
    return new CausalPeer() {
      @Override
      public Taken message(CausalPeer.Message m) {
        from.send(to.self(), CausalPeer.PREFIX + ".message", m);
        return null;
      }

      @Override
      public Since since(Query q) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
