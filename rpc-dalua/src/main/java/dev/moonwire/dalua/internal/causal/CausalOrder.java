package dev.moonwire.dalua.internal.causal;

import dev.moonwire.dalua.internal.Deliveries;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.HeldBytes;
import dev.moonwire.dalua.internal.MulticastHost;
import dev.moonwire.dalua.internal.causal.CausalPeer.Message;
import dev.moonwire.dalua.internal.causal.CausalPeer.Query;
import dev.moonwire.dalua.internal.causal.CausalPeer.Since;
import dev.moonwire.dalua.internal.causal.CausalPeer.Source;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * One group's causal order (vector clocks): a message is delivered at a member only after every
 * message its sender had delivered (or sent) before sending it; concurrent ones in any order.
 * A member delivers a message when it is the next from its source and depends on nothing it
 * has not delivered; the others wait, by source, in the order of their numbers.
 *
 * <p>Sending: the sender delivers its own message at once and queues it for each other member,
 * in order. Each member's queue sends a window of messages as calls; one the member refuses
 * (its budget full, a frame lost, the connection cut) is sent again after a pause, the lowest
 * first, so a gap closes instead of letting later ones pile up behind it. While any member's
 * queue is full, {@code send} waits (back-pressure). A member the detector holds gone, or that
 * left the group, loses its queue.
 *
 * <p>Late joiners and restarts: a source is a process in one incarnation, so a restarted
 * sender is a new source counting from 1. Each message tells its receiver the first message of
 * its source addressed to it ({@code since}); a member waits for none before. A member that
 * waits on a source it has no count for, or on a gap, asks that source where its messages to
 * it start; a source that is gone, or that answers in another incarnation, will send nothing
 * more, and what depends on it is delivered without it.
 *
 * <p>State confined to the process's events.
 */
final class CausalOrder {
  /** How many messages a member holds back at most; past it, new ones are refused. */
  static final int MAX_HELD = 10_000;
  /** How many entries a message's dependencies may have at most. */
  static final int MAX_DEPS = 100_000;
  /** Messages in flight to one member at once. */
  static final int WINDOW = 32;
  /** Messages (or bytes) queued for one member past which {@code send} waits. */
  static final int MAX_QUEUED = 256;
  static final long MAX_QUEUED_BYTES = HeldBytes.MAX;
  private static final Duration SEND_DEADLINE = Duration.ofSeconds(5);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
  private static final Duration ASK_EVERY = Duration.ofSeconds(1);
  private static final Duration ASK_DEADLINE = Duration.ofSeconds(10);

  private final MulticastHost host;
  private final String app;
  private final String what;
  private final Source self;
  private final Deliveries deliveries;

  /** Messages delivered here, by source: this process's own included (its sends). */
  private final Map<Source, Long> clock = new HashMap<>();
  /** Messages held back, by source, in the order of their numbers. */
  private final Map<Source, TreeMap<Long, Held>> waiting = new HashMap<>();
  private int heldCount;
  /** Sources being asked where their messages to this member start. */
  private final Set<Source> asking = new HashSet<>();
  private boolean unblocking; // a round of questions is scheduled

  /** The queue of messages to each other member, by member. */
  private final Map<ProcessId, Link> links = new HashMap<>();
  private final List<CompletableFuture<Void>> senders = new ArrayList<>(); // waiting for room

  private record Held(Message message, long bytes) {}

  /** The messages queued for one member, not yet taken by it, and those in flight. */
  private static final class Link {
    final ProcessId to;
    long first; // the first message addressed to it
    Long recipient; // the incarnation that takes its messages, once known
    final Map<Long, Message> queued = new HashMap<>(); // as stamped: since is set as each goes
    final TreeSet<Long> unsent = new TreeSet<>();
    long bytes;
    int inFlight;
    boolean paused;
    int refused; // in a row, for the pause

    Link(ProcessId to, long first) {
      this.to = to;
      this.first = first;
    }
  }

  CausalOrder(MulticastHost host, String app, long incarnation) {
    this.host = host;
    this.app = app;
    this.what = "causal order of '" + app + "'";
    this.self = new Source(host.process().id(), incarnation);
    this.deliveries = new Deliveries(host, what);
  }

  private void confined() {
    EventConfinement.check(host.process(), what);
  }

  // ---------------------------------------------------------------- sending

  /** Stamps, delivers here and queues {@code function(args)} for every other member. */
  CompletableFuture<Void> send(String function, Object[] args) {
    confined();
    List<ProcessId> members = host.members(app); // may suspend: state is read after
    long seq = clock.merge(self, 1L, Long::sum);
    Map<Source, Long> deps = new HashMap<>(clock);
    deps.remove(self);
    if (members.contains(self.process())) { // delivered here at once, through no budget
      deliveries.deliver(function, args);
    }
    Set<ProcessId> others = new HashSet<>(members);
    others.remove(self.process());
    for (ProcessId gone : List.copyOf(links.keySet())) {
      if (!others.contains(gone)) {
        drop(links.get(gone), "it left the group");
      }
    }
    for (ProcessId p : others) {
      Link link = links.computeIfAbsent(p, to -> new Link(to, seq));
      link.queued.put(seq, new Message(app, self, seq, seq, deps, function, args));
      link.unsent.add(seq);
      link.bytes += HeldBytes.estimate(function, args);
      pump(link);
    }
    CompletableFuture<Void> room = new CompletableFuture<>();
    senders.add(room);
    wakeSenders();
    return room;
  }

  private boolean hasRoom() {
    for (Link link : links.values()) {
      if (link.queued.size() >= MAX_QUEUED || link.bytes >= MAX_QUEUED_BYTES) {
        return false;
      }
    }
    return true;
  }

  private void wakeSenders() {
    if (!senders.isEmpty() && hasRoom()) {
      List<CompletableFuture<Void>> go = List.copyOf(senders);
      senders.clear();
      go.forEach(f -> f.complete(null));
    }
  }

  /** Sends the lowest unsent messages of {@code link}, within the window. */
  private void pump(Link link) {
    while (!link.paused && link.inFlight < WINDOW && !link.unsent.isEmpty()) {
      long seq = link.unsent.pollFirst();
      Message m = link.queued.get(seq);
      link.inFlight++;
      host.process().<CausalPeer.Taken>async(link.to, CausalPeer.PREFIX + ".message",
          t -> taken(link, seq, t), e -> refused(link, seq, e))
          .withDeadline(SEND_DEADLINE).call(new Message(app, self, seq, link.first, m.deps(),
              m.function(), m.args()));
    }
  }

  private void taken(Link link, long seq, CausalPeer.Taken t) {
    confined();
    link.inFlight--;
    link.refused = 0;
    host.liveness().heard(link.to);
    if (restarted(link, t.incarnation(), seq)) {
      return;
    }
    Message m = link.queued.remove(seq);
    if (m != null) {
      link.bytes -= HeldBytes.estimate(m.function(), m.args());
    }
    pump(link);
    wakeSenders();
  }

  private void refused(Link link, long seq, RpcException e) {
    confined();
    link.inFlight--;
    if (links.get(link.to) != link) {
      return; // dropped meanwhile
    }
    if (e instanceof ProcessClosedException || e instanceof NoSuchFunctionException
        || host.liveness().gone(link.to, e)) {
      drop(link, "messages not taken yet are dropped for it");
      return;
    }
    link.unsent.add(seq); // sent again, lowest first, after a pause
    if (!link.paused) {
      link.paused = true;
      long pause = Math.min(Deliveries.MAX_PAUSE.toMillis(),
          FIRST_PAUSE.toMillis() << Math.min(link.refused, 10));
      link.refused++;
      host.later(Duration.ofMillis(pause), () -> {
        link.paused = false;
        if (links.get(link.to) == link) {
          pump(link);
        }
      });
    }
  }

  private void drop(Link link, String done) {
    links.remove(link.to);
    if (!link.queued.isEmpty()) {
      host.memberGone(link.to, what, link.queued.size() + " " + done);
    }
    wakeSenders();
  }

  /**
   * Whether the member at {@code link}'s address is another process than the one the queue
   * was begun for (it restarted): if so, the queue starts again for it at {@code seq}, or at
   * the oldest message still queued, and every queued message goes again, lowest first.
   */
  private boolean restarted(Link link, long incarnation, long seq) {
    if (link.recipient == null) {
      link.recipient = incarnation;
      return false;
    }
    if (link.recipient == incarnation) {
      return false;
    }
    link.recipient = incarnation;
    long oldest = link.queued.keySet().stream().mapToLong(Long::longValue).min().orElse(seq);
    link.first = Math.min(seq, oldest);
    link.unsent.addAll(link.queued.keySet());
    pump(link);
    return true;
  }

  /**
   * Where this source's messages to {@code asker}, in {@code incarnation}, start: asked by a
   * member that waits.
   */
  Since since(ProcessId asker, long incarnation) {
    confined();
    Link link = links.get(asker);
    long next = clock.getOrDefault(self, 0L) + 1;
    if (link != null) {
      restarted(link, incarnation, next);
    }
    return new Since(self.incarnation(), link != null ? link.first : next);
  }

  // ---------------------------------------------------------------- receiving

  /** A message arrived: delivered now, or held until what it depends on is. */
  void onMessage(Message m) {
    confined();
    check(m);
    Source from = m.from();
    if (from.equals(self)) {
      return; // its own are delivered as they are sent, never through the wire
    }
    startsAt(from, m.since());
    TreeMap<Long, Held> queue = waiting.get(from);
    if (m.seq() <= clock.get(from) || (queue != null && queue.containsKey(m.seq()))) {
      deliverReady(); // a copy, but its start may have moved: what waited may go now
      return; // delivered or held here already: a copy sent again
    }
    if (m.seq() == clock.get(from) + 1 && depsMet(m)) {
      clock.put(from, m.seq());
      deliveries.deliver(m.function(), m.args());
      deliverReady();
      return;
    }
    if (heldCount >= MAX_HELD) {
      throw new IllegalStateException(what + ": a message of " + from + " refused: " + MAX_HELD
          + " messages wait here already for ones that never came");
    }
    long bytes = HeldBytes.estimate(m.function(), m.args());
    if (!host.heldBytes().tryTake(bytes)) {
      throw new IllegalStateException(what + ": a message of " + from + " (about " + bytes
          + " bytes) refused: " + host.heldBytes().used() + " bytes of messages wait here "
          + "already for ones that never came (expected: at most " + HeldBytes.MAX + ")");
    }
    waiting.computeIfAbsent(from, s -> new TreeMap<>()).put(m.seq(), new Held(m, bytes));
    heldCount++;
    deliverReady();
    unblockLater();
  }

  /**
   * {@code from}'s messages to this member start at {@code since}: those before were never
   * addressed to it (it joined later, or its source dropped it for a while) and none is waited
   * for. Counts only go up.
   */
  private void startsAt(Source from, long since) {
    long before = since - 1;
    Long now = clock.get(from);
    if (now == null || now < before) {
      clock.put(from, before);
    }
  }

  /**
   * A message's numbers are taken into the clock as they are: a negative count, a null, or a
   * count of its own source out of range would stop causal delivery here.
   */
  private void check(Message m) {
    String why = null;
    if (m.seq() < 1 || m.since() < 1 || m.since() > m.seq()) {
      why = "number " + m.seq() + " since " + m.since() + " (expected 1 <= since <= number)";
    } else if (m.deps().size() > MAX_DEPS) {
      why = m.deps().size() + " dependencies (expected at most " + MAX_DEPS + ")";
    } else {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) m.deps()).entrySet()) { // as decoded: any types
        if (!(e.getKey() instanceof Source) || !(e.getValue() instanceof Long n) || n < 0) {
          why = "a dependency " + e.getKey() + "=" + e.getValue() + " (expected: a source and "
              + "a count >= 0)";
          break;
        }
      }
    }
    if (why != null) {
      throw new IllegalArgumentException(what + ": a message of " + m.from() + " refused: its "
          + "stamp has " + why);
    }
  }

  /** Nothing {@code m} depends on is missing here (or will ever come). */
  private boolean depsMet(Message m) {
    for (Map.Entry<Source, Long> e : m.deps().entrySet()) {
      Source s = e.getKey();
      if (s.equals(self)) {
        continue; // its own: delivered as they are sent
      }
      Long mine = clock.get(s);
      if (mine == null || mine < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Delivers the held messages that have become deliverable, each source's in order. */
  private void deliverReady() {
    for (boolean progress = true; progress; ) {
      progress = false;
      for (Source s : List.copyOf(waiting.keySet())) {
        TreeMap<Long, Held> queue = waiting.get(s);
        while (queue != null && !queue.isEmpty()) {
          Held head = queue.firstEntry().getValue();
          long next = clock.get(s) + 1;
          if (head.message.seq() < next) { // overtaken by a jump of its start: a copy
            release(s, queue);
            continue;
          }
          if (head.message.seq() != next || !depsMet(head.message)) {
            break;
          }
          release(s, queue);
          clock.put(s, head.message.seq());
          deliveries.deliver(head.message.function(), head.message.args());
          progress = true;
        }
      }
    }
  }

  private void release(Source s, NavigableMap<Long, Held> queue) {
    Held h = queue.pollFirstEntry().getValue();
    heldCount--;
    host.heldBytes().release(h.bytes);
    if (queue.isEmpty()) {
      waiting.remove(s);
    }
  }

  // ---------------------------------------------------------------- what held messages wait on

  private void unblockLater() {
    if (!unblocking && !waiting.isEmpty()) {
      unblocking = true;
      host.later(ASK_EVERY, this::unblock);
    }
  }

  /**
   * Asks each source the held messages wait on where its messages to this member start: a
   * source this member has no count for (it joined later), or one whose next message has not
   * come. One that answers in another incarnation, or is gone, has ended.
   */
  private void unblock() {
    unblocking = false;
    deliverReady();
    Set<Source> blocking = new HashSet<>();
    for (Map.Entry<Source, TreeMap<Long, Held>> e : waiting.entrySet()) {
      Message head = e.getValue().firstEntry().getValue().message;
      if (head.seq() != clock.get(e.getKey()) + 1) {
        blocking.add(e.getKey());
      }
      for (Map.Entry<Source, Long> d : head.deps().entrySet()) {
        Long mine = clock.get(d.getKey());
        if (!d.getKey().equals(self) && (mine == null || mine < d.getValue())) {
          blocking.add(d.getKey());
        }
      }
    }
    for (Source s : blocking) {
      ask(s);
    }
    unblockLater();
  }

  private void ask(Source s) {
    if (!asking.add(s)) {
      return;
    }
    host.process().<Since>async(s.process(), CausalPeer.PREFIX + ".since", answer -> {
      asking.remove(s);
      host.liveness().answered(s.process());
      if (answer.incarnation() != s.incarnation()) {
        end(s, "its address answers for a new process");
      } else {
        startsAt(s, answer.since());
        deliverReady();
      }
    }, e -> {
      asking.remove(s);
      if (e instanceof NoSuchFunctionException || host.liveness().gone(s.process(), e)) {
        end(s, "it is gone");
      }
    }).withDeadline(ASK_DEADLINE).call(new Query(app, self.incarnation()));
  }

  /**
   * {@code s} will send this member nothing more (gone, or restarted): what it sent that is
   * here is delivered in its order, skipping what never came, as far as the rest allows; then
   * its count is raised past every message of it that a held one depends on, so those are
   * waived — and, should a message of it come after all, one at or below that count is never
   * delivered (it would come after what depends on it).
   */
  private void end(Source s, String why) {
    confined();
    host.memberGone(s.process(), what, why + ": what depends on its messages that never came "
        + "is delivered without them");
    clock.putIfAbsent(s, 0L);
    TreeMap<Long, Held> queue = waiting.get(s);
    while (queue != null && !queue.isEmpty() && depsMet(queue.firstEntry().getValue().message)) {
      Held head = queue.firstEntry().getValue();
      release(s, queue);
      if (head.message.seq() > clock.get(s)) {
        clock.put(s, head.message.seq());
        deliveries.deliver(head.message.function(), head.message.args());
      }
      queue = waiting.get(s);
    }
    long waived = clock.get(s);
    for (TreeMap<Long, Held> q : waiting.values()) {
      for (Held h : q.values()) {
        Long dep = h.message.deps().get(s);
        if (dep != null && dep > waived) {
          waived = dep;
        }
      }
    }
    clock.put(s, waived);
    deliverReady();
  }

  /** Messages held back, waiting for those they depend on (for tests). */
  int heldBack() {
    return heldCount;
  }

  /** Messages queued for members and not taken by them yet (for tests). */
  int unacknowledged() {
    return links.values().stream().mapToInt(l -> l.queued.size()).sum();
  }

  @Override
  public String toString() {
    return what;
  }
}
