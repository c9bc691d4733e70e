package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Publish/subscribe topics among processes of one directory (DESIGN §12). */
// a separate thread: a test blocked on a process's events is still ended at its timeout
@Timeout(value = 40, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TopicTest extends ProcessTestSupport {
  /** A message: its publisher and its number in that publisher's sequence. */
  record Note(int publisher, int seq) {}

  private static String unique(String name) {
    return name + "-" + System.nanoTime();
  }

  private List<Dalua> attach(int n) {
    List<Dalua> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(Dalua.attach(open(RpcConfig.defaults().register(Note.class)), Directory.local()));
    }
    return all;
  }

  /** Asserts each publisher's notes in {@code log} come in increasing number. */
  private static void inEachPublishersOrder(List<Note> log) {
    Map<Integer, Integer> last = new ConcurrentHashMap<>();
    for (Note n : log) {
      Integer before = last.put(n.publisher(), n.seq());
      assertTrue(before == null || before < n.seq(),
          "publisher " + n.publisher() + ": " + n.seq() + " after " + before);
    }
  }

  @Test
  void subscribe_publishesBegunAfterItReturned_reachIt_evenFromPublishersWithAnOlderView()
      throws Exception {
    List<Dalua> publishers = attach(3);
    List<Dalua> subscribers = attach(2);
    for (int round = 0; round < 25; round++) {
      String name = unique("after-subscribe");
      // the publishers declare first: their view of the subscribers predates every subscribe
      List<Topic<Note>> topics = new ArrayList<>();
      for (Dalua p : publishers) {
        topics.add(p.topic(name, Note.class));
      }
      AtomicBoolean stop = new AtomicBoolean();
      // set when a subscribe has returned: publishes begun after it must arrive
      List<AtomicBoolean> returned = List.of(new AtomicBoolean(), new AtomicBoolean());
      List<Set<Note>> mustArrive = List.of(ConcurrentHashMap.newKeySet(),
          ConcurrentHashMap.newKeySet());
      List<RpcFuture<Integer>> running = new ArrayList<>();
      for (int i = 0; i < publishers.size(); i++) {
        int who = i;
        Topic<Note> t = topics.get(i);
        running.add(publishers.get(i).process().submit(() -> {
          int seq = 0;
          while (!stop.get()) {
            Note n = new Note(who, seq++);
            for (int s = 0; s < returned.size(); s++) {
              if (returned.get(s).get()) { // read before the publish begins
                mustArrive.get(s).add(n);
              }
            }
            t.publish(n);
            if (seq % 8 == 0) {
              publishers.get(who).process().sleep(Duration.ofMillis(1)); // let the others in
            }
          }
          return seq;
        }));
      }
      List<List<Note>> logs = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
      List<Subscription> subs = new ArrayList<>();
      for (int s = 0; s < subscribers.size(); s++) {
        List<Note> log = logs.get(s);
        subs.add(subscribers.get(s).topic(name, Note.class).subscribe(log::add));
        returned.get(s).set(true);
      }
      // and one publish each, begun after both subscribes returned, whatever the loop did
      await().atMost(Duration.ofSeconds(10)).until(() -> mustArrive.get(1).size() >= 3);
      stop.set(true);
      for (RpcFuture<Integer> r : running) {
        r.get(30, TimeUnit.SECONDS);
      }
      for (int s = 0; s < subscribers.size(); s++) {
        int sub = s;
        await().atMost(Duration.ofSeconds(20))
            .until(() -> new HashSet<>(logs.get(sub)).containsAll(mustArrive.get(sub)));
        inEachPublishersOrder(logs.get(s));
        assertEquals(logs.get(s).size(), new HashSet<>(logs.get(s)).size(), "delivered twice");
      }
      subs.forEach(Subscription::cancel);
    }
  }

  @Test
  void publish_handlersThatSuspend_stillSeeEachPublishersOrder() {
    List<Dalua> all = attach(3);
    String name = unique("order");
    Dalua sub = all.get(2);
    List<Note> log = new CopyOnWriteArrayList<>();
    sub.topic(name, Note.class).subscribe(n -> {
      if (n.seq() % 5 == 0) {
        sub.process().sleep(Duration.ofMillis(2)); // a suspension point inside the handler
      }
      log.add(n);
    });
    int each = 300;
    for (int i = 0; i < 2; i++) {
      int who = i;
      Topic<Note> t = all.get(i).topic(name, Note.class);
      all.get(i).process().execute(() -> {
        for (int k = 0; k < each; k++) {
          t.publish(new Note(who, k));
        }
      });
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> log.size() == 2 * each);
    inEachPublishersOrder(log);
  }

  @Test
  void totalTopic_everySubscriberReceivesTheSameOrder() {
    List<Dalua> all = attach(3);
    String name = unique("total");
    List<List<Note>> logs = new ArrayList<>();
    List<Topic<Note>> topics = new ArrayList<>();
    for (Dalua d : all) {
      Topic<Note> t = d.topic(name, Note.class, Ordering.TOTAL);
      List<Note> log = new CopyOnWriteArrayList<>();
      t.subscribe(log::add);
      logs.add(log);
      topics.add(t);
    }
    int each = 20;
    for (int i = 0; i < all.size(); i++) {
      int who = i;
      all.get(i).process().execute(() -> {
        for (int k = 0; k < each; k++) {
          topics.get(who).publish(new Note(who, k));
        }
      });
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> logs.stream().allMatch(l -> l.size() == all.size() * each));
    for (List<Note> log : logs) {
      assertEquals(logs.get(0), log, "subscribers disagree on the order");
      inEachPublishersOrder(log);
    }
  }

  @Test
  void causalTopic_deliversEveryMessage_inEachPublishersOrder() {
    List<Dalua> all = attach(2);
    String name = unique("causal");
    List<Note> log = new CopyOnWriteArrayList<>();
    Topic<Note> pub = all.get(0).topic(name, Note.class, Ordering.CAUSAL);
    all.get(1).topic(name, Note.class, Ordering.CAUSAL).subscribe(log::add);
    for (int k = 0; k < 50; k++) {
      pub.publish(new Note(0, k));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> log.size() == 50);
    inEachPublishersOrder(log);
  }

  @Test
  void cancel_noMessageReachesTheHandlerAfterItReturned_andThePublisherStopsSending() {
    List<Dalua> all = attach(2);
    String name = unique("cancel");
    Topic<Integer> pub = all.get(0).topic(name, Integer.class);
    List<Integer> log = new CopyOnWriteArrayList<>();
    Subscription s = all.get(1).topic(name, Integer.class).subscribe(log::add);
    pub.publish(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == 1);

    s.cancel();

    assertFalse(s.isActive());
    assertTrue(s.ended().toCompletableFuture().isDone());
    assertTrue(s.failure().isEmpty());
    for (int k = 2; k < 200; k++) {
      pub.publish(k);
    }
    // the subscriber answers that it no longer subscribes: the publisher drops it
    await().atMost(Duration.ofSeconds(10))
        .until(() -> all.get(0).topics().knownSubscribers(name) == 0);
    assertEquals(List.of(1), log);
    // and a new subscription is reached again
    Subscription again = all.get(1).topic(name, Integer.class).subscribe(log::add);
    pub.publish(500);
    await().atMost(Duration.ofSeconds(10)).until(() -> log.contains(500));
    again.cancel();
  }

  @Test
  void aClosedSubscriber_isDropped_andHoldsNoPublisherBack() {
    List<Dalua> all = attach(3);
    String name = unique("closed");
    Topic<Integer> pub = all.get(0).topic(name, Integer.class);
    List<Integer> live = new CopyOnWriteArrayList<>();
    all.get(1).topic(name, Integer.class).subscribe(live::add);
    all.get(2).topic(name, Integer.class).subscribe(m -> {});

    all.get(2).process().close();

    all.get(0).publishDeadline = Duration.ofSeconds(35); // past the bounds below: a wait would show
    long start = System.nanoTime();
    for (int k = 0; k < 10 * 64; k++) { // ten windows' worth
      pub.publish(k);
    }
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(30)) < 0);
    await().atMost(Duration.ofSeconds(20)).until(() -> live.size() == 640);
    assertEquals(1, all.get(0).topics().knownSubscribers(name));
  }

  @Test
  void aSubscriberJvmSigkilled_isDropped_itsPendingDeliveriesNotWaitedOn() throws Exception {
    dev.moonwire.rpc.RpcProcess hubProcess = open();
    Dalua hub = Dalua.attach(hubProcess, Directory.hostedBy(hubProcess.id()));
    String name = unique("killed");
    Topic<Integer> pub = hub.topic(name, Integer.class);
    List<Integer> live = new CopyOnWriteArrayList<>();
    hub.topic(name, Integer.class).subscribe(live::add);
    ProcessId child = hub.process().spawn(1, TopicMember.class, hub.self().toString(), name)
        .get(0);
    await().atMost(Duration.ofSeconds(30)).until(() -> hub.topics().knownSubscribers(name) == 2);
    pub.publish(0);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Integer.valueOf(1).equals(hub.process().sync(child, "received").call()));
    long pid = hub.process().sync(child, "pid").call();

    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: nobody says goodbye

    hub.publishDeadline = Duration.ofSeconds(35); // past the bounds below: a wait would show
    long start = System.nanoTime();
    for (int k = 1; k <= 10 * 64; k++) {
      pub.publish(k);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(dev.moonwire.dalua.internal.Liveness.GONE_AFTER) < 0,
        "publishing took " + took.toMillis() + " ms");
    await().atMost(Duration.ofSeconds(10)).until(() -> hub.topics().knownSubscribers(name) == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> live.size() == 641);
    takeUncaught(); // sends to the killed child's address may be reported
  }

  @Test
  void aFullSubscriber_holdsItsPublisherBackUntilTheDeadline_thenIsUnsubscribedAndTold() {
    List<Dalua> all = attach(3);
    String name = unique("full");
    Dalua publisher = all.get(0);
    publisher.publishDeadline = Duration.ofMillis(1500);
    Topic<Integer> pub = publisher.topic(name, Integer.class);
    List<Integer> fast = new CopyOnWriteArrayList<>();
    all.get(1).topic(name, Integer.class).subscribe(fast::add);
    CompletableFuture<Void> never = new CompletableFuture<>();
    Dalua slow = all.get(2);
    try {
      aFullSubscriberIsUnsubscribed(publisher, pub, fast, slow.topic(name, Integer.class)
          .subscribe(m -> slow.process().await(never))); // its handler never ends
    } finally {
      never.complete(null); // even on failure: no event left suspended
    }
  }

  private static void aFullSubscriberIsUnsubscribed(Dalua publisher, Topic<Integer> pub,
      List<Integer> fast, Subscription stuck) {
    String name = pub.name();
    long start = System.nanoTime();
    for (int k = 0; k < 64 + 10; k++) {
      pub.publish(k);
    }
    Duration held = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(held.compareTo(Duration.ofMillis(1400)) >= 0,
        "the publisher was not held back: " + held.toMillis() + " ms");
    await().atMost(Duration.ofSeconds(10)).until(() -> !stuck.isActive());
    OverloadedException why = assertInstanceOf(OverloadedException.class,
        stuck.failure().orElseThrow());
    assertTrue(why.getMessage().contains(publisher.self().toString()), why.getMessage());
    assertTrue(stuck.ended().toCompletableFuture().isCompletedExceptionally());
    await().atMost(Duration.ofSeconds(10)).until(() -> fast.size() == 74);
    assertEquals(1, publisher.topics().knownSubscribers(name));
    // no more waiting once it is gone
    long again = System.nanoTime();
    for (int k = 0; k < 200; k++) {
      pub.publish(k);
    }
    assertTrue(Duration.ofNanos(System.nanoTime() - again).compareTo(Duration.ofMillis(1400)) < 0);
  }

  @Test
  void topic_declaredAgainWithAnotherType_isAGroupException_hereAndAtAnotherProcess() {
    List<Dalua> all = attach(2);
    String name = unique("typed");
    all.get(0).topic(name, Integer.class);

    GroupException there = assertThrows(GroupException.class,
        () -> all.get(1).topic(name, String.class));
    assertTrue(there.getMessage().contains("java.lang.Integer"), there.getMessage());
    assertThrows(GroupException.class, () -> all.get(0).topic(name, String.class));
    assertThrows(GroupException.class,
        () -> all.get(1).topic(name, Integer.class, Ordering.TOTAL));
    assertEquals(Integer.class, all.get(1).topic(name, Integer.class).type());
  }

  /** The group a FIFO topic of Integers' subscribers join (TopicNames' layout). */
  private static String subscribersOf(String name) {
    return "dalua.topic:" + name.length() + ":" + name + ":java.lang.Integer:FIFO/subscribers";
  }

  /**
   * A subscriber by hand: it registers again while a delivery sent under its earlier
   * registration is still unanswered, and only then refuses that delivery — the order a slow
   * network gives (a reply overtaken by the next register) — so the publisher must not take
   * the stale refusal for the new registration's.
   */
  @Test
  void subscribe_againWhileARefusalOfTheOldRegistrationIsInFlight_stillReceives() {
    Dalua publisher = attach(1).get(0);
    String name = unique("resubscribed");
    RpcProcess fake = open();
    List<dev.moonwire.dalua.internal.topic.TopicPeer.Delivery> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> refuseNow = new CompletableFuture<>();
    AtomicBoolean subscribed = new AtomicBoolean(false);
    fake.export(dev.moonwire.dalua.internal.topic.TopicPeer.PREFIX,
        dev.moonwire.dalua.internal.topic.TopicPeer.class,
        new dev.moonwire.dalua.internal.topic.TopicPeer() {
          @Override
          public boolean register(Register r) {
            return false;
          }

          @Override
          public boolean deliver(Delivery d) {
            if (!subscribed.get()) {
              fake.await(refuseNow); // cancelled meanwhile: refuses, late
              return false;
            }
            got.add(d);
            return true;
          }

          @Override
          public void evicted(Evicted e) {}

          @Override
          public void multicast(Published p) {}
        });
    Directory.Session session = Directory.local().connect(fake, new Directory.Listener() {
      @Override
      public void joined(String app, ProcessId p) {}

      @Override
      public void left(String app, ProcessId p) {}
    });
    session.create(subscribersOf(name));
    session.join(subscribersOf(name)); // before the publisher declares: it learns it unnamed
    Topic<Integer> pub = publisher.topic(name, Integer.class);
    assertEquals(1, publisher.topics().knownSubscribers(name));
    pub.publish(1); // held at the fake until it refuses

    Boolean recorded = fake.sync(publisher.self(),
        dev.moonwire.dalua.internal.topic.TopicPeer.REGISTER).call(new dev.moonwire.dalua.internal.topic.TopicPeer.Register(
            "dalua.topic:" + name.length() + ":" + name + ":java.lang.Integer:FIFO", 42L));
    assertTrue(recorded);
    subscribed.set(true);
    refuseNow.complete(null); // the old registration's refusal comes after the new register

    pub.publish(2);
    // 1 comes again, under the new registration, once the stale refusal is in
    await().atMost(Duration.ofSeconds(10)).until(() -> got.stream().map(d -> d.message())
        .toList().containsAll(List.of(1, 2)));
    assertEquals(1, publisher.topics().knownSubscribers(name));
    assertTrue(got.stream().allMatch(d -> d.registration() == 42L), got.toString());
    session.close();
  }

  @Test
  void subscribe_fromTheEndedCallbackAfterAnEviction_keepsReceiving_andLaterPublishersFindIt() {
    List<Dalua> all = attach(3);
    String name = unique("evicted-again");
    Dalua publisher = all.get(0);
    publisher.publishDeadline = Duration.ofMillis(500);
    Topic<Integer> pub = publisher.topic(name, Integer.class);
    Dalua sub = all.get(1);
    Topic<Integer> subTopic = sub.topic(name, Integer.class);
    CompletableFuture<Void> never = new CompletableFuture<>();
    List<Integer> again = new CopyOnWriteArrayList<>();
    CompletableFuture<Subscription> second = new CompletableFuture<>();
    try {
      Subscription stuck = subTopic.subscribe(m -> sub.process().await(never));
      stuck.ended().whenComplete((v, e) -> { // runs in the eviction's event
        try {
          second.complete(subTopic.subscribe(again::add));
        } catch (RuntimeException failed) {
          second.completeExceptionally(failed);
        }
      });
      for (int k = 0; k < 64 + 1; k++) {
        pub.publish(k); // the last waits out the deadline, then evicts it
      }
      Subscription renewed = second.orTimeout(10, TimeUnit.SECONDS).join();
      assertFalse(stuck.isActive());

      pub.publish(1000);
      await().atMost(Duration.ofSeconds(10)).until(() -> again.contains(1000));
      assertTrue(renewed.isActive());
      // still among the subscribers in the directory: a publisher declaring now reaches it
      Topic<Integer> late = all.get(2).topic(name, Integer.class);
      late.publish(2000);
      await().atMost(Duration.ofSeconds(10)).until(() -> again.contains(2000));
    } finally {
      never.complete(null);
    }
  }

  @Test
  void aFencedSubscriber_isTold_publishAndSubscribeFail_untilItJoinsAgain() {
    RpcProcess hubProcess = open();
    Directory hub = Directory.hostedBy(hubProcess.id());
    Dalua publisher = Dalua.attach(hubProcess, hub);
    publisher.apps().create("fenced-group");
    Dalua x = Dalua.attach(open(), hub);
    String name = unique("fenced");
    Topic<Integer> pub = publisher.topic(name, Integer.class);
    Topic<Integer> topic = x.topic(name, Integer.class);
    List<Integer> got = new CopyOnWriteArrayList<>();
    Subscription s = topic.subscribe(got::add);

    x.process().send(hubProcess.id(), "dalua.dir.drop", x.self()); // as the hub's detector would
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        x.apps().applications(); // x learns it was dropped from its next call to the hub
      } catch (FencedException expected) {
        // fenced: the subscription ends on a later event
      }
      return !s.isActive();
    });

    assertInstanceOf(FencedException.class, s.failure().orElseThrow());
    assertThrows(FencedException.class, () -> topic.publish(1));
    assertThrows(FencedException.class, () -> topic.subscribe(got::add));
    x.apps().join("fenced-group"); // takes part again
    topic.subscribe(got::add);
    pub.publish(7);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.contains(7));
  }

  @Test
  void evicted_fromAProcessThatDidNotDeclareTheTopic_isRefused_theSubscriptionStays() {
    List<Dalua> all = attach(2);
    String name = unique("forged-eviction");
    Topic<Integer> pub = all.get(0).topic(name, Integer.class);
    List<Integer> got = new CopyOnWriteArrayList<>();
    Subscription s = all.get(1).topic(name, Integer.class).subscribe(got::add);
    RpcProcess stranger = open();
    stranger.export(dev.moonwire.dalua.internal.topic.TopicPeer.PREFIX, // registers the records
        dev.moonwire.dalua.internal.topic.TopicPeer.class, new QuietPeer());

    assertThrows(dev.moonwire.rpc.RpcException.class, () -> stranger.sync(all.get(1).self(),
        dev.moonwire.dalua.internal.topic.TopicPeer.EVICTED).call(
            new dev.moonwire.dalua.internal.topic.TopicPeer.Evicted(
                "dalua.topic:" + name.length() + ":" + name + ":java.lang.Integer:FIFO", 0L, 1L,
                "forged")));

    assertTrue(s.isActive());
    pub.publish(3);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.contains(3));
  }

  /** A protocol peer that takes part in nothing. */
  private static final class QuietPeer implements dev.moonwire.dalua.internal.topic.TopicPeer {
    @Override
    public boolean register(Register r) {
      return false;
    }

    @Override
    public boolean deliver(Delivery d) {
      return false;
    }

    @Override
    public void evicted(Evicted e) {}

    @Override
    public void multicast(Published p) {}
  }
}
