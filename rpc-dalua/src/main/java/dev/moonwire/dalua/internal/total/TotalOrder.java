package dev.moonwire.dalua.internal.total;

import dev.moonwire.dalua.internal.Deliveries;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.HeldBytes;
import dev.moonwire.dalua.internal.MulticastHost;
import dev.moonwire.dalua.internal.Stamps;
import dev.moonwire.dalua.internal.total.TotalPeer.Agreement;
import dev.moonwire.dalua.internal.total.TotalPeer.Message;
import dev.moonwire.dalua.internal.total.TotalPeer.MessageId;
import dev.moonwire.dalua.internal.total.TotalPeer.Proposal;
import dev.moonwire.dalua.internal.total.TotalPeer.Query;
import dev.moonwire.dalua.internal.total.TotalPeer.Settled;
import dev.moonwire.dalua.internal.total.TotalPeer.Status;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One group's total order (ISIS agreed timestamps): the sender sends the message to every
 * member; each proposes a timestamp above any it has seen and holds the message back; the
 * sender takes the largest proposal (ties by proposer) as agreed and tells every member, which
 * delivers its held-back messages from the smallest timestamp on as long as that one is agreed.
 * So every member delivers the same messages in the same order. A sender runs one message at a
 * time, so its messages are delivered in the order it sent them.
 *
 * <p>A member that dies does not block delivery: a sender waiting for proposals pings the
 * members it waits for, and drops one the detector holds gone. A member holding a message its
 * sender has not settled asks the sender every second; if the sender is gone (or answers that
 * the message is not of its incarnation), the member stops taking the sender's agreement for
 * it and asks every other live member: one that saw the agreement settles it; only when every
 * live member has answered that it has not — each, by answering, stops taking the sender's
 * agreement too — is the message dropped. A member that cannot be reached and is not gone is
 * asked again: silence is not an answer. A frame lost on the way is sent again: the message to
 * a member that answers pings and still owes its proposal, the agreement to one that asks.
 *
 * <p>State confined to the process's events: every method runs as one, and those that change
 * state check it.
 */
final class TotalOrder {
  /** How many agreements (and refusals) a member remembers, for members that missed one. */
  private static final int REMEMBERED = 65_536;
  /**
   * How many messages a member holds back at most. Each sender has one message at a time in
   * the protocol, so only a stuck or hostile sender comes near it; past it, new messages are
   * refused (reported here), and their senders send them again.
   */
  static final int MAX_HELD = 10_000;
  /**
   * Messages (or bytes) queued here, not yet in the protocol, past which {@code send} waits —
   * as causal order's: a sender the others shut out (paused past the failure detector, its
   * messages never agreed) must not queue without bound.
   */
  static final int MAX_QUEUED = 256;
  static final long MAX_QUEUED_BYTES = HeldBytes.MAX;
  private static final Duration PING = Duration.ofSeconds(1);
  /** How long a ping or a question may take before it is asked again. */
  private static final Duration ASK_DEADLINE = Duration.ofSeconds(30);
  private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::ts)
      .thenComparing(Key::tie)
      .thenComparing(k -> k.id().sender().toString())
      .thenComparingLong(k -> k.id().incarnation())
      .thenComparingLong(k -> k.id().seq());

  private final MulticastHost host;
  private final String app;
  private final String what;
  private final long incarnation;
  private final Deliveries deliveries;

  // sender side
  private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
  /** The bytes of {@link #outgoing}, estimated as {@link HeldBytes#estimate}. */
  private long outgoingBytes;
  /** The sends waiting for room in {@link #outgoing}. */
  private final List<CompletableFuture<Void>> senders = new ArrayList<>();
  private long sequence;
  private Sending sending; // the message in the protocol, or null
  private boolean reading; // the members are being read for the next message
  private int directoryFailures; // reads of the members failed in a row
  private boolean retrying; // a retry of startNext is scheduled
  /** Members pinged and not answered yet ({@code Liveness.ping}). */
  private final Set<ProcessId> pinging = new HashSet<>();

  // receiver side
  private long seen; // the largest timestamp proposed or agreed here
  private final Map<MessageId, Held> held = new HashMap<>();
  /** The held messages in delivery order: the head is delivered once it is agreed. */
  private final TreeMap<Key, Held> queue = new TreeMap<>(ORDER);
  /** Agreements that overtook their message: the newest REMEMBERED. */
  private final Map<MessageId, Agreed> early = newestOnly();
  /** The agreements this member saw: the newest REMEMBERED. */
  private final Map<MessageId, Agreed> agreements = newestOnly();
  /**
   * Messages whose sender's agreement this member no longer takes: it answered another member
   * that it has not seen it agreed, or it asks the others itself. Only the members' answers
   * settle them now; the newest REMEMBERED.
   */
  private final Map<MessageId, Boolean> fenced = newestOnly();
  /**
   * Senders (in one incarnation) whose message this member settled without delivering it —
   * dropped with the others, or never seen and fenced — by the number of that message: their
   * messages from there on are never taken here, or this member would deliver a sender's
   * messages with one missing. Such a sender was taken for gone; it must come back as a new
   * process (DESIGN: membership is the directory's).
   */
  private final Map<Incarnation, Long> endedAt = new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Incarnation, Long> eldest) {
      return size() > REMEMBERED;
    }
  };

  /**
   * The last message number taken here from each sender incarnation: one that comes after a
   * gap means its sender agreed the one before without this member (it took this member for
   * gone), which therefore never delivers that sender's messages again.
   */
  private final Map<Incarnation, Long> lastTaken = new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Incarnation, Long> eldest) {
      return size() > REMEMBERED;
    }
  };

  private record Incarnation(ProcessId sender, long incarnation) {
    static Incarnation of(MessageId id) {
      return new Incarnation(id.sender(), id.incarnation());
    }
  }

  @SuppressWarnings("ArrayRecordComponent") // the arguments as the caller gave them
  private record Outgoing(String function, Object[] args, long bytes) {}

  private record Agreed(long ts, String tie) {}

  /** Where a held message stands in the delivery order. */
  private record Key(long ts, String tie, MessageId id) {}

  /** The sender's message in the protocol. */
  private static final class Sending {
    final MessageId id;
    final List<ProcessId> to;
    final Outgoing message;
    final Set<ProcessId> awaiting;
    long bestTs = -1;
    String bestTie = "";

    Sending(MessageId id, List<ProcessId> to, Outgoing message) {
      this.id = id;
      this.to = to;
      this.message = message;
      this.awaiting = new HashSet<>(to);
    }
  }

  /** A message held back: its place (proposed, then agreed) and whether it is agreed. */
  private static final class Held {
    final Message message;
    final long bytes;
    Key key;
    boolean agreed;
    boolean recovering; // its sender is gone: the other members are being asked

    Held(Message message, long bytes, Key key) {
      this.message = message;
      this.bytes = bytes;
      this.key = key;
    }
  }

  TotalOrder(MulticastHost host, String app, long incarnation) {
    this.host = host;
    this.app = app;
    this.what = "total order of '" + app + "'";
    this.incarnation = incarnation;
    this.deliveries = new Deliveries(host, what);
  }

  /** A map that forgets its eldest entry past {@link #REMEMBERED}. */
  private static <V> Map<MessageId, V> newestOnly() {
    return new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<MessageId, V> eldest) {
        return size() > REMEMBERED;
      }
    };
  }

  private void confined() {
    EventConfinement.check(host.process(), what);
  }

  private TotalPeer peers(List<ProcessId> to) {
    return host.process().send(to, TotalPeer.PREFIX, TotalPeer.class);
  }

  /** Those of {@code to} the detector does not hold gone: a send to a dead one only fails. */
  private List<ProcessId> live(List<ProcessId> to) {
    return to.stream().filter(p -> !host.liveness().isGone(p)).toList();
  }

  // ---------------------------------------------------------------- sender side

  /**
   * Queues {@code function(args)}; returns what completes once the queue has room for the
   * next message (at once, unless {@link #MAX_QUEUED} messages or {@link #MAX_QUEUED_BYTES}
   * wait): the caller waits for it.
   */
  CompletableFuture<Void> send(String function, Object[] args) {
    confined();
    Outgoing o = new Outgoing(function, args, HeldBytes.estimate(function, args));
    outgoing.add(o);
    outgoingBytes += o.bytes();
    startNext();
    CompletableFuture<Void> room = new CompletableFuture<>();
    senders.add(room);
    wakeSenders();
    return room;
  }

  private void wakeSenders() {
    if (!senders.isEmpty() && outgoing.size() < MAX_QUEUED
        && outgoingBytes < MAX_QUEUED_BYTES) {
      List<CompletableFuture<Void>> go = List.copyOf(senders);
      senders.clear();
      go.forEach(f -> f.complete(null));
    }
  }

  private void startNext() {
    confined();
    if (sending != null || reading || outgoing.isEmpty()) {
      return; // one at a time: the next once the one in the protocol is agreed
    }
    List<ProcessId> members;
    reading = true;
    try {
      members = host.members(app); // may suspend: other events run meanwhile
    } catch (RuntimeException e) {
      retryLater(e); // the messages queued here must not wait for the next send
      return;
    } finally {
      reading = false;
    }
    directoryFailures = 0;
    if (sending != null || outgoing.isEmpty()) {
      return;
    }
    Outgoing next = outgoing.poll();
    outgoingBytes -= next.bytes();
    wakeSenders();
    MessageId id = new MessageId(host.process().id(), incarnation, sequence++);
    sending = new Sending(id, members, next);
    List<ProcessId> live = live(members);
    if (!live.isEmpty()) {
      peers(live).message(new Message(app, id, next.function(), next.args()));
    }
    later(() -> pingWhileAwaiting(id));
  }

  /**
   * The group's members could not be read ({@code e}): the next message is tried again after a
   * pause — 10 ms, doubling to {@link Deliveries#MAX_PAUSE}. The first failure of a run is
   * reported to the process's uncaught-error handler.
   */
  private void retryLater(RuntimeException e) {
    if (retrying) {
      return;
    }
    retrying = true;
    long pause = Math.min(Deliveries.MAX_PAUSE.toMillis(),
        10L << Math.min(directoryFailures, 10));
    if (directoryFailures++ == 0) {
      host.report(e);
    }
    host.later(Duration.ofMillis(pause), () -> {
      retrying = false;
      startNext();
    });
  }

  /** At the sender: a proposal; once all are in, the largest is agreed. */
  void onProposal(Proposal p, ProcessId from) {
    confined();
    if (sending == null || !sending.id.equals(p.id()) || !sending.awaiting.contains(from)) {
      return;
    }
    // agreed, it moves every member's clock: one far ahead would stall them all
    Stamps.checked(p.ts(), seen, what + ": proposal of " + from + " for " + p.id());
    sending.awaiting.remove(from);
    String tie = from.toString();
    if (p.ts() > sending.bestTs
        || (p.ts() == sending.bestTs && tie.compareTo(sending.bestTie) > 0)) {
      sending.bestTs = p.ts();
      sending.bestTie = tie;
    }
    agreeIfAllProposed();
  }

  private void agreeIfAllProposed() {
    if (sending == null || !sending.awaiting.isEmpty()) {
      return;
    }
    Sending done = sending;
    sending = null;
    // decided: what settled answers from now, even if this member's own AGREE is refused
    agreements.put(done.id, new Agreed(done.bestTs, done.bestTie));
    List<ProcessId> live = live(done.to);
    if (!live.isEmpty()) {
      peers(live).agree(new Agreement(app, done.id, done.bestTs, done.bestTie));
    }
    startNext();
  }

  /** The sender pings the members whose proposals it still awaits; the gone are dropped. */
  private void pingWhileAwaiting(MessageId id) {
    if (sending == null || !sending.id.equals(id) || host.process().isClosed()) {
      return;
    }
    for (ProcessId p : List.copyOf(sending.awaiting)) {
      // slow, or not unreachable for long: its proposal is still needed
      host.liveness().ping(host.process(), p, pinging, ASK_DEADLINE,
          () -> resendIfAwaited(id, p), () -> dropSilent(id, p));
    }
    later(() -> pingWhileAwaiting(id));
  }

  /** {@code p} is gone: its proposal for {@code id} is no longer awaited. */
  private void dropSilent(MessageId id, ProcessId p) {
    confined();
    if (sending == null || !sending.id.equals(id) || !sending.awaiting.remove(p)) {
      return; // a later message is being sent now: p is asked for that one anew
    }
    host.memberGone(p, what, "message " + id + " is agreed without its proposal");
    agreeIfAllProposed();
  }

  /**
   * {@code p} answered a ping, so it has read what was sent before it, yet its proposal for
   * {@code id} has not come: the message or the proposal was refused on the way (one-way sends
   * can be). The message goes again; a member that holds it proposes again, the same timestamp.
   */
  private void resendIfAwaited(MessageId id, ProcessId p) {
    if (sending == null || !sending.id.equals(id) || !sending.awaiting.contains(p)) {
      return;
    }
    Outgoing m = sending.message;
    peers(List.of(p)).message(new Message(app, id, m.function(), m.args()));
  }

  // ---------------------------------------------------------------- receiver side

  /** At a member: a new message (its sender checked); held back, and the sender gets a proposal. */
  void onMessage(Message m) {
    confined();
    MessageId id = m.id();
    ProcessId sender = id.sender();
    Held copy = held.get(id);
    if (copy != null) {
      // A copy, sent again because no proposal reached the sender: the same proposal again
      // (none if agreed here already, or if its sender's word no longer counts here).
      if (!copy.agreed && !fenced.containsKey(id)) {
        peers(List.of(sender)).propose(new Proposal(app, id, copy.key.ts()));
      }
      return;
    }
    if (fenced.containsKey(id) || (agreements.containsKey(id) && !early.containsKey(id))) {
      return; // settled here already (delivered, or dropped with the others): a late copy
    }
    Incarnation from = Incarnation.of(id);
    Long last = lastTaken.get(from);
    if (last != null && id.seq() > last + 1) { // the one before was agreed without this member
      endedAt.merge(from, last + 1, Math::min);
      host.memberGone(sender, what, "message " + id + " comes after one agreed without this "
          + "member: this sender's messages are not delivered here any more");
    }
    lastTaken.merge(from, id.seq(), Math::max);
    Long ended = endedAt.get(from);
    if (ended != null && id.seq() >= ended) {
      // Its sender was taken for gone here, and one of its messages was not delivered: none
      // after it is. It is answered all the same, so that the others' order goes on.
      peers(List.of(sender)).propose(new Proposal(app, id, ++seen));
      return;
    }
    if (held.size() >= MAX_HELD) {
      throw new IllegalStateException(what + ": message " + id + " refused: " + MAX_HELD
          + " messages are held back here already (expected: senders that agree what they "
          + "send)");
    }
    long bytes = HeldBytes.estimate(m.function(), m.args());
    if (!host.heldBytes().tryTake(bytes)) {
      throw new IllegalStateException(what + ": message " + id + " (about " + bytes
          + " bytes) refused: " + host.heldBytes().used() + " bytes of messages are held back "
          + "here already (expected: at most " + HeldBytes.MAX + "); its sender sends it again");
    }
    Agreed overtook = early.remove(id);
    if (overtook != null) { // its agreement came first, from its sender (checked as it came)
      hold(new Held(m, bytes, new Key(overtook.ts(), overtook.tie(), id)));
      apply(held.get(id), overtook);
      deliverReady();
      return;
    }
    long proposal = ++seen;
    hold(new Held(m, bytes, new Key(proposal, host.process().id().toString(), id)));
    peers(List.of(sender)).propose(new Proposal(app, id, proposal));
    later(() -> askSenderWhileHeld(id)); // one chain per message: copies start none
  }

  private void hold(Held h) {
    held.put(h.message.id(), h);
    queue.put(h.key, h);
  }

  /**
   * At a member: the agreed timestamp of a message — from its sender ({@code fromSender}: its
   * AGREE, or its answer when asked), or from the answer of another member this one asked.
   */
  void onAgree(MessageId id, long ts, String tie, boolean fromSender) {
    confined();
    if (fromSender && fenced.containsKey(id)) {
      return; // this member answered the others that it is not agreed: only they settle it
    }
    Stamps.checked(ts, seen, what + ": agreement of " + id);
    Held h = held.get(id);
    if (h == null) {
      if (!agreements.containsKey(id)) {
        // Its message has not come: kept for it (the clock moves only when it comes).
        early.put(id, new Agreed(ts, tie));
      }
      return;
    }
    if (!h.agreed) {
      apply(h, new Agreed(ts, tie));
      deliverReady();
    }
  }

  private void apply(Held h, Agreed a) {
    agreements.put(h.message.id(), a);
    seen = Math.max(seen, a.ts());
    queue.remove(h.key);
    h.key = new Key(a.ts(), a.tie(), h.message.id());
    h.agreed = true;
    queue.put(h.key, h);
  }

  /** Delivers, in order, the held-back messages at the head that are agreed. */
  private void deliverReady() {
    while (!queue.isEmpty() && queue.firstEntry().getValue().agreed) {
      Held head = queue.pollFirstEntry().getValue();
      held.remove(head.message.id());
      host.heldBytes().release(head.bytes);
      deliveries.deliver(head.message.function(), head.message.args()); // in order, as events
    }
  }

  /** What this member knows of {@code id}'s agreement, for a member that asks. */
  Settled settled(MessageId id) {
    confined();
    Agreed a = agreements.get(id);
    if (a != null) {
      return Settled.agreed(a.ts(), a.tie());
    }
    if (id.sender().equals(host.process().id())) { // asked as its sender
      if (id.incarnation() != incarnation) {
        return Settled.of(Status.UNKNOWN); // sent by this address's previous process: gone
      }
      return (sending != null && sending.id.equals(id)) || id.seq() >= sequence
          ? Settled.of(Status.PENDING) : Settled.of(Status.UNKNOWN);
    }
    // Asked by a member that holds it and finds its sender gone: from now on only the
    // members' answers settle it here, never a late agreement of its sender's.
    fenced.put(id, Boolean.TRUE);
    if (held.containsKey(id)) {
      return Settled.of(Status.PENDING); // settled here by this member's own questions
    }
    endedAt.merge(Incarnation.of(id), id.seq(), Math::min);
    return Settled.of(Status.UNKNOWN);
  }

  /**
   * A member holding a message asks its sender, every second, whether it is agreed: if the
   * sender saw the agreement, the AGREE to this member was lost on the way, and it is applied
   * here. If the sender is gone, or says the message is not of its incarnation, the other
   * members settle it ({@link #recover}).
   */
  private void askSenderWhileHeld(MessageId id) {
    Held h = held.get(id);
    if (h == null || h.agreed || h.recovering || host.process().isClosed()) {
      return;
    }
    if (fenced.containsKey(id)) {
      recover(id, "another member found its sender gone");
      return;
    }
    ProcessId sender = id.sender();
    host.process().<Settled>async(sender, TotalPeer.PREFIX + ".settled", s -> {
      host.liveness().answered(sender);
      switch (s.status()) {
        case AGREED -> onAgree(id, s.ts(), s.tie(), true); // its sender's word: fenced or not
        case PENDING -> later(() -> askSenderWhileHeld(id));
        case UNKNOWN -> recover(id, "its sender's address answers for a new process");
      }
    }, e -> {
      if (host.liveness().gone(sender, e)) {
        recover(id, "its sender is gone");
      } else {
        later(() -> askSenderWhileHeld(id)); // slow, or not unreachable for long
      }
    }).withDeadline(ASK_DEADLINE).call(new Query(app, id));
  }

  /**
   * The sender of held message {@code id} is gone: from now on this member takes no agreement
   * of the sender's for it, and asks every other live member what it knows. One that saw it
   * agreed settles it; one that holds it unagreed, or never saw it, answers so and takes no
   * agreement of the sender's for it from then on either. Once every live member has answered
   * that way, nobody delivered it, and nobody will: it is dropped. A member that cannot be
   * reached is asked again, unless the detector holds it gone or it left the group — silence
   * is never taken for "not delivered".
   */
  private void recover(MessageId id, String why) {
    confined();
    Held h = held.get(id);
    if (h == null || h.agreed || h.recovering) {
      return;
    }
    h.recovering = true;
    fenced.put(id, Boolean.TRUE);
    host.memberGone(id.sender(), what, why + "; whether its message " + id + " was agreed is "
        + "asked of the other members; if none saw it agreed, it is dropped");
    askOthers(id);
  }

  private void askOthers(MessageId id) {
    Held h = held.get(id);
    if (h == null || h.agreed || host.process().isClosed()) {
      return;
    }
    List<ProcessId> members;
    try {
      members = host.members(app); // may suspend
    } catch (RpcException e) {
      later(() -> askOthers(id));
      return;
    }
    Set<ProcessId> waiting = new HashSet<>(members);
    waiting.remove(host.process().id());
    waiting.remove(id.sender());
    waiting.removeIf(p -> host.liveness().isGone(p));
    if (waiting.isEmpty()) {
      drop(id);
      return;
    }
    for (ProcessId p : List.copyOf(waiting)) {
      ask(id, p, waiting);
    }
  }

  /** Asks {@code p} about {@code id}, until it answers or is gone; the last answer decides. */
  private void ask(MessageId id, ProcessId p, Set<ProcessId> waiting) {
    Held h = held.get(id);
    if (h == null || h.agreed || host.process().isClosed()) {
      return; // settled meanwhile
    }
    host.process().<Settled>async(p, TotalPeer.PREFIX + ".settled", s -> {
      host.liveness().answered(p);
      if (s.status() == Status.AGREED) {
        onAgree(id, s.ts(), s.tie(), false);
      } else {
        answered(id, p, waiting);
      }
    }, e -> {
      if (host.liveness().gone(p, e)) {
        answered(id, p, waiting); // gone: what it delivered no live member waits for
      } else {
        later(() -> ask(id, p, waiting));
      }
    }).withDeadline(ASK_DEADLINE).call(new Query(app, id));
  }

  private void answered(MessageId id, ProcessId p, Set<ProcessId> waiting) {
    if (waiting.remove(p) && waiting.isEmpty()) {
      drop(id);
    }
  }

  /** Drops {@code id} if it is still held unagreed: no live member saw it agreed. */
  private void drop(MessageId id) {
    confined();
    Held h = held.get(id);
    if (h == null || h.agreed) {
      return;
    }
    held.remove(id);
    queue.remove(h.key);
    host.heldBytes().release(h.bytes);
    endedAt.merge(Incarnation.of(id), id.seq(), Math::min);
    deliverReady();
  }

  /** Messages held back here (for tests). */
  int heldBack() {
    return held.size();
  }

  private void later(Runnable task) {
    host.later(PING, task);
  }

  @Override
  public String toString() {
    return what;
  }
}
