package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Total order with agreed timestamps (ISIS): the sender sends the message to every member;
 * each proposes a timestamp above any it has seen and holds the message back; the sender takes
 * the largest proposal (ties by proposer id) as agreed and tells every member, which delivers
 * its held-back messages from the smallest agreed one as long as that one is agreed. So every
 * member delivers the same messages in the same order. A sender runs one message at a time,
 * so its messages are delivered in the order it sent them.
 *
 * <p>A member that dies does not block delivery: a sender waiting for proposals pings the
 * members it waits for, and a member holding a message its sender has not settled asks the
 * sender, every second; one that cannot be reached at all for five seconds (process closed,
 * JVM gone, host cut off) is dropped with what it owed. A member that is only slow is waited
 * for. Nor does a frame lost on the way (one-way sends can be refused): a member that answers
 * and still owes its proposal is sent the message again, and a member whose AGREE never came
 * takes the agreement from the sender's answer.
 */
final class TotalMulticast implements Multicast {
  static final String MESSAGE = "dalua.total.message";
  static final String PROPOSE = "dalua.total.propose";
  static final String AGREE = "dalua.total.agree";
  static final String SETTLED = "dalua.total.settled";
  /** How many agreements a member remembers, for members that missed one. */
  private static final int REMEMBERED = 65_536;
  /**
   * How many messages a member holds back at most. Each sender has one message at a time in
   * the protocol, so only a stuck or hostile sender comes near it; past it, new messages are
   * refused (reported here), and their senders wait.
   */
  static final int MAX_HELD = 10_000;
  private static final Duration PING = Duration.ofSeconds(1);
  private static final ScheduledExecutorService PINGS =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-total-pings").unstarted(r));
  private static final Comparator<Held> ORDER =
      Comparator.<Held>comparingLong(h -> h.ts).thenComparing(h -> h.tie);

  private final Dalua dalua;
  private final String app;
  private final Deliveries deliveries;
  private final AtomicLong resent = new AtomicLong();
  /**
   * This instance's incarnation, in its messages' ids: a process restarted at the same address
   * starts its sequence again, and its new messages must not pass for its old ones.
   */
  private final String incarnation = Long.toHexString(ThreadLocalRandom.current().nextLong());
  /** Members pinged and not answered yet, sender side ({@code Liveness.ping}). */
  private final Set<ProcessId> pinging = ConcurrentHashMap.newKeySet();

  // sender side, guarded by this
  private final ArrayDeque<Object[]> outgoing = new ArrayDeque<>(); // {function, args}
  private long sequence;
  private String sending; // the id of the message in the protocol, or null
  private List<ProcessId> sendingTo = List.of();
  private Object[] sendingMessage; // {function, args} of the message in the protocol
  private final Set<ProcessId> awaiting = new HashSet<>();
  private long bestTs = -1;
  private String bestTie = "";
  private int directoryFailures; // reads of the members failed in a row
  private boolean retrying; // a retry of startNext is scheduled

  // receiver side, guarded by this
  private long seen; // the largest timestamp proposed or agreed here
  private final Map<String, Held> held = new HashMap<>();
  /** Agreements that overtook their message, {ts, tie} by id: the newest REMEMBERED. */
  private final Map<String, Object[]> earlyAgreements = newestOnly();
  /** The agreements this member saw, the newest {@link #REMEMBERED}: {ts, tie} by id. */
  private final Map<String, Object[]> agreements = newestOnly();

  /** A map that forgets its eldest entry past {@link #REMEMBERED}. */
  private static Map<String, Object[]> newestOnly() {
    return new java.util.LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Object[]> eldest) {
        return size() > REMEMBERED;
      }
    };
  }

  /** A message held back: its timestamp (proposed, then agreed) and whether it is agreed. */
  private static final class Held {
    final String id;
    final ProcessId sender;
    final String function;
    final Object[] args;
    final long bytes;
    long ts;
    String tie;
    boolean agreed;

    Held(String id, ProcessId sender, String function, Object[] args, long bytes) {
      this.id = id;
      this.sender = sender;
      this.function = function;
      this.args = args;
      this.bytes = bytes;
    }
  }

  TotalMulticast(Dalua dalua, String app) {
    this.dalua = dalua;
    this.app = app;
    this.deliveries = new Deliveries(dalua, "total order of '" + app + "'");
  }

  @Override
  public void send(String function, Object... args) {
    synchronized (this) {
      outgoing.add(new Object[] {function, args == null ? new Object[0] : args});
      if (sending != null) {
        return; // one at a time: after the one in the protocol is agreed
      }
    }
    startNext();
  }

  private void startNext() {
    synchronized (this) {
      if (sending != null || outgoing.isEmpty()) {
        return;
      }
    }
    String id;
    Object[] next;
    List<ProcessId> members;
    try {
      members = dalua.apps().processes(app);
    } catch (RuntimeException e) {
      retryLater(e); // the messages queued here must not wait for the next send
      return;
    }
    synchronized (this) {
      directoryFailures = 0;
      if (sending != null || (next = outgoing.poll()) == null) {
        return;
      }
      id = dalua.self() + "#" + incarnation + "#" + sequence++;
      sending = id;
      sendingTo = members;
      sendingMessage = next;
      awaiting.clear();
      awaiting.addAll(members);
      bestTs = -1;
      bestTie = "";
    }
    dalua.sendToLive(members, MESSAGE, app, id, dalua.self(), next[0], next[1]);
    pingWhileAwaiting(id);
  }

  /**
   * The group's members could not be read ({@code e}): the next message is tried again after a
   * pause — 10 ms, doubling to {@link Deliveries#MAX_PAUSE} — as an event of this process. The
   * first failure of a run is reported to the process's uncaught-error handler.
   */
  private void retryLater(RuntimeException e) {
    long pause;
    boolean first;
    synchronized (this) {
      if (retrying) {
        return;
      }
      retrying = true;
      first = directoryFailures == 0;
      pause = Math.min(Deliveries.MAX_PAUSE.toMillis(), 10L << Math.min(directoryFailures, 10));
      directoryFailures++;
    }
    if (first) {
      dalua.reportLater(e);
    }
    dalua.scheduler.schedule(() -> {
      synchronized (this) {
        retrying = false;
      }
      try {
        dalua.process().execute(this::startNext);
      } catch (ProcessClosedException closed) {
        // closed: nothing is sent any more
      }
    }, Duration.ofMillis(pause));
  }

  /** At a member: a new message; it is held back and the sender gets a proposal. */
  void onMessage(String id, ProcessId sender, String function, Object[] args) {
    long proposal;
    boolean deliver = false;
    boolean first = true; // its sender is asked about it until it is agreed: one chain
    synchronized (this) {
      Held copy = held.get(id);
      if (copy != null) {
        first = false;
        // A copy, sent again because no proposal reached the sender: the same proposal again
        // (none if it is agreed here already: then the sender has all it needs).
        if (copy.agreed || !copy.sender.equals(sender)) {
          return;
        }
        proposal = copy.ts;
        resent.incrementAndGet();
      } else if (agreements.containsKey(id) && !earlyAgreements.containsKey(id)) {
        return; // delivered here already: a copy that crossed its agreement
      } else {
        if (held.size() >= MAX_HELD) {
          throw new IllegalStateException("total order of '" + app + "': message " + id
              + " of " + sender + " refused: " + MAX_HELD + " messages are held back here "
              + "already (expected: senders that agree what they send)");
        }
        long bytes = HeldBytes.estimate(function, args);
        if (!dalua.heldBytes.tryTake(bytes)) {
          throw new IllegalStateException("total order of '" + app + "': message " + id
              + " of " + sender + " (about " + bytes + " bytes) refused: " + dalua.heldBytes.used()
              + " bytes of messages are held back here already (expected: at most "
              + HeldBytes.MAX + "); its sender sends it again");
        }
        Held h = new Held(id, sender, function, args, bytes);
        Object[] early = earlyAgreements.remove(id);
        if (early != null && early[2] != null && !early[2].equals(sender)) {
          early = null; // agreed by another than its sender: not an agreement
        }
        if (early != null) { // its agreement overtook it
          agreements.put(id, new Object[] {early[0], early[1]});
          seen = Math.max(seen, (Long) early[0]); // checked as it came
          h.ts = (Long) early[0];
          h.tie = (String) early[1];
          h.agreed = true;
          held.put(id, h);
          deliver = true;
          proposal = -1;
        } else {
          proposal = ++seen;
          h.ts = proposal;
          h.tie = dalua.self().toString();
          held.put(id, h);
        }
      }
    }
    if (deliver) {
      deliverReady();
    } else {
      dalua.process().send(sender, PROPOSE, app, id, proposal, dalua.self());
      if (first) {
        pingSenderWhileHeld(id, sender);
      }
    }
  }

  /** At the sender: a proposal; once all are in, the largest is agreed. */
  void onProposal(String id, long ts, ProcessId from) {
    synchronized (this) {
      if (!id.equals(sending) || !awaiting.contains(from)) {
        return;
      }
      // agreed, it moves every member's clock: one far ahead would stall them all
      Stamps.checked(ts, seen, "total order of '" + app + "': proposal of " + from + " for " + id);
      awaiting.remove(from);
      String tie = from.toString();
      if (ts > bestTs || ts == bestTs && tie.compareTo(bestTie) > 0) {
        bestTs = ts;
        bestTie = tie;
      }
    }
    agreeIfAllProposed(id);
  }

  private void agreeIfAllProposed(String id) {
    List<ProcessId> to;
    long ts;
    String tie;
    synchronized (this) {
      if (!id.equals(sending) || !awaiting.isEmpty()) {
        return;
      }
      to = sendingTo;
      ts = bestTs;
      tie = bestTie;
      sending = null;
      sendingMessage = null;
      // decided: what SETTLED answers from now, even if this member's own AGREE is refused
      agreements.put(id, new Object[] {ts, tie});
    }
    dalua.sendToLive(to, AGREE, app, id, ts, tie);
    startNext();
  }

  /**
   * At a member: the agreed timestamp of a message, from {@code agreer} — the process whose
   * AGREE this is, which must be the message's sender — or, when {@code agreer} is null, from
   * the answer of a member this one asked ({@link #SETTLED}).
   */
  void onAgree(String id, long ts, String tie, ProcessId agreer) {
    synchronized (this) {
      Held h = held.get(id);
      if (h == null) {
        if (agreements.containsKey(id)) {
          return; // a copy of an agreement applied here already
        }
        // Its message has not come: the clock moves only when the message is here, so an
        // agreement for no message cannot move it; checked now, against a clock that only
        // grows until then, and its agreer checked against the message's sender then.
        Stamps.checked(ts, seen, "total order of '" + app + "': agreement of " + id);
        earlyAgreements.put(id, new Object[] {ts, tie, agreer});
        return;
      }
      if (h.agreed) {
        return; // a second copy: the first decided
      }
      if (agreer != null && !agreer.equals(h.sender)) {
        throw new IllegalArgumentException("total order of '" + app + "': agreement of " + id
            + " from " + agreer + " ignored (expected: from its sender, " + h.sender + ")");
      }
      Stamps.checked(ts, seen, "total order of '" + app + "': agreement of " + id);
      agreements.put(id, new Object[] {ts, tie});
      seen = Math.max(seen, ts);
      h.ts = ts;
      h.tie = tie;
      h.agreed = true;
    }
    deliverReady();
  }

  /** The agreement this member saw for {@code id}, as {ts, tie}, or null. */
  synchronized Object[] settled(String id) {
    Object[] a = agreements.get(id);
    return a == null ? null : a.clone();
  }

  /** Delivers, in order, the held-back messages at the head that are agreed. */
  private void deliverReady() {
    List<Held> deliver = new ArrayList<>();
    synchronized (this) {
      while (!held.isEmpty()) {
        Held head = held.values().stream().min(ORDER).orElseThrow();
        if (!head.agreed) {
          break;
        }
        held.remove(head.id);
        dalua.heldBytes.release(head.bytes);
        deliver.add(head);
      }
    }
    for (Held h : deliver) {
      deliveries.deliver(h.function, h.args); // in this order, as events, never refused
    }
  }

  /** The sender pings the members whose proposals it still awaits; the silent are dropped. */
  private void pingWhileAwaiting(String id) {
    PINGS.schedule(() -> {
      List<ProcessId> silent;
      synchronized (this) {
        if (!id.equals(sending) || dalua.process().isClosed()) {
          return;
        }
        silent = List.copyOf(awaiting);
      }
      for (ProcessId p : silent) {
        // slow, or not unreachable for long: its proposal is still needed
        dalua.liveness.ping(dalua.process(), p, pinging, Dalua.PING_DEADLINE,
            () -> resendIfAwaited(id, p), () -> dropSilent(id, p));
      }
      pingWhileAwaiting(id);
    }, PING.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code p} is gone: its proposal for {@code id} is no longer awaited. */
  private void dropSilent(String id, ProcessId p) {
    synchronized (this) {
      if (!id.equals(sending) || !awaiting.remove(p)) {
        return; // a later message is being sent now: p is asked for that one anew
      }
    }
    dalua.memberGone(p, "total order of '" + app + "'", "message " + id + " is agreed "
        + "without its proposal");
    agreeIfAllProposed(id);
  }

  /**
   * {@code p} answered a ping, so it has read what was sent before it, yet its proposal for
   * {@code id} has not come: the message or the proposal was refused on the way (one-way sends
   * can be). The message goes again; a member that holds it proposes again, the same timestamp.
   */
  private void resendIfAwaited(String id, ProcessId p) {
    Object[] message;
    synchronized (this) {
      if (!id.equals(sending) || !awaiting.contains(p)) {
        return;
      }
      message = sendingMessage;
    }
    resent.incrementAndGet();
    dalua.process().send(List.of(p), MESSAGE, app, id, dalua.self(), message[0], message[1]);
  }

  /** Messages and proposals sent again because one was lost on the way (a diagnostic). */
  long resent() {
    return resent.get();
  }

  /**
   * A member holding a message asks its sender, every second, whether it is agreed: if the
   * sender saw the agreement, the AGREE to this member was lost on the way, and it is applied
   * here. If the sender is gone, it asks the other members whether one of them saw the
   * agreement (the sender may have died while its AGREE frames went out): if one did, it is
   * applied here too; if none did, nobody delivered the message, and it is dropped.
   */
  private void pingSenderWhileHeld(String id, ProcessId sender) {
    PINGS.schedule(() -> {
      synchronized (this) {
        Held h = held.get(id);
        if (h == null || h.agreed || dalua.process().isClosed()) {
          return;
        }
      }
      dalua.process().<Object[]>async(sender, SETTLED, agreement -> {
        dalua.liveness.answered(sender);
        if (agreement != null) {
          resent.incrementAndGet();
          onAgree(id, (Long) agreement[0], (String) agreement[1], null);
        } else {
          pingSenderWhileHeld(id, sender);
        }
      }, e -> {
        if (dalua.liveness.gone(sender, e)) {
          askOthers(id, sender);
        } else {
          pingSenderWhileHeld(id, sender); // slow, or not unreachable for long
        }
      }).withDeadline(Dalua.PING_DEADLINE).call(app, id);
    }, PING.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void askOthers(String id, ProcessId sender) {
    dalua.memberGone(sender, "total order of '" + app + "'", "whether its message " + id
        + " was agreed is asked of the other members; if none saw it agreed, it is dropped");
    List<ProcessId> others = new ArrayList<>(dalua.apps().processes(app));
    others.remove(dalua.self());
    others.remove(sender);
    if (others.isEmpty()) {
      dropUnsettled(id);
      return;
    }
    int[] answers = {0};
    for (ProcessId p : others) {
      dalua.process().<Object[]>async(p, SETTLED, agreement -> {
        if (agreement != null) {
          onAgree(id, (Long) agreement[0], (String) agreement[1], null);
        }
        if (++answers[0] == others.size()) { // callbacks run one at a time, as events
          dropUnsettled(id);
        }
      }, e -> {
        if (++answers[0] == others.size()) {
          dropUnsettled(id);
        }
      }).withDeadline(Dalua.PING_DEADLINE).call(app, id); // a slow member may hold the answer
    }
  }

  /** Drops {@code id} if it is still held unagreed: its sender died before any agreed it. */
  private void dropUnsettled(String id) {
    synchronized (this) {
      Held h = held.get(id);
      if (h != null && !h.agreed) {
        held.remove(id);
        dalua.heldBytes.release(h.bytes);
      }
    }
    deliverReady();
  }

  /** Messages held back here (for tests). */
  synchronized int heldBack() {
    return held.size();
  }
}
