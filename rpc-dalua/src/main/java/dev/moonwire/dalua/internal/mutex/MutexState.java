package dev.moonwire.dalua.internal.mutex;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.Stamps;
import dev.moonwire.rpc.ProcessId;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One member's side of one mutex: Ricart &amp; Agrawala with Lamport clocks, as a state machine
 * whose every method runs on an event of its process ({@link EventConfinement#check}) — so it
 * needs no lock. What it sends, and the pings of the members it waits for, go through its
 * {@link MutexContext}.
 *
 * <p>Membership epochs fence members the others dropped: a member removed here at epoch
 * {@code e} is refused while its messages carry an epoch up to {@code e} (it was taken for gone,
 * so its requests and OKs belong to a view that ended), and taken again once it comes with a
 * later one (it joined anew). An epoch of 0 means the directory keeps none: nothing is fenced.
 */
public final class MutexState {
  /** Where this member stands. */
  public enum Phase {
    /** Neither holding nor asking. */
    RELEASED,
    /** Its request is out; it waits for the others' OKs. */
    WANTED,
    /** In the critical section. */
    HELD,
    /**
     * The directory dropped this member: its view ended, so it may neither enter nor answer.
     * Final: the member makes the mutex again once it has joined anew.
     */
    FENCED
  }

  /** How many requests a member defers at most, whatever ids peers send; past it, refused. */
  static final int MAX_DEFERRED = 10_000;
  private static final Comparator<ProcessId> BY_ID =
      Comparator.comparing(ProcessId::host).thenComparingInt(ProcessId::port);

  private final MutexContext context;
  private final String name;
  /** "mutex 'name': ", built once: the confinement check names it only when it fails. */
  private final String owner;
  private final ProcessId self;
  private final Set<ProcessId> others = new LinkedHashSet<>();
  /** The newest membership epoch heard from each member. */
  private final Map<ProcessId, Long> epochs = new HashMap<>();
  /** The epoch each member had when it was removed here: its messages up to it are stale. */
  private final Map<ProcessId, Long> removedAt = new HashMap<>();
  private Phase phase = Phase.RELEASED;
  private long clock;
  /** The active own request's timestamp: meaningful while WANTED. */
  private long requestTs;
  private final Set<ProcessId> awaiting = new HashSet<>();
  private Runnable onGrant;
  private long grantedTs = -1;
  private long token;
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  /** Requests answered when this member leaves: the timestamp of each, by member. */
  private final Map<ProcessId, Long> deferred = new LinkedHashMap<>();
  /** The request each member last had an OK for (members only: bounded by them). */
  private final Map<ProcessId, Long> okayed = new HashMap<>();
  /** Members pinged and not answered yet. */
  private final Set<ProcessId> pinging = new HashSet<>();
  /** The request whose members are being pinged, or -1. */
  private long pingedTs = -1;
  private long messages;
  private long resent;

  MutexState(MutexContext context, String name, Collection<ProcessId> members) {
    this.context = context;
    this.name = name;
    this.owner = "mutex '" + name + "': ";
    this.self = context.self();
    for (ProcessId p : members) {
      if (!p.equals(self)) {
        others.add(p);
      }
    }
  }

  public String name() {
    return name;
  }

  public Phase phase() {
    confined("phase");
    return phase;
  }

  /**
   * Asks to enter; {@code grant} runs (on this event, or a later one) once every other member
   * has said OK. Asking again before leaving queues the request behind this one.
   *
   * @throws dev.moonwire.rpc.FencedException if this member was dropped
   */
  public void request(Runnable grant) {
    confined("request");
    if (phase == Phase.FENCED) {
      throw context.fenced("mutex '" + name + "'");
    }
    if (phase != Phase.RELEASED) {
      queued.add(grant);
      return;
    }
    start(grant);
  }

  /**
   * Leaves: the OKs deferred meanwhile go out and the next queued request asks its turn. A
   * fenced member's leave only ends its critical section: it answers no one.
   *
   * @throws IllegalStateException if this member does not hold the mutex
   */
  public void leave() {
    confined("leave");
    if (phase == Phase.FENCED && token != 0) {
      token = 0; // the section it held when dropped ends; nothing goes out
      return;
    }
    if (phase != Phase.HELD) {
      throw new IllegalStateException("leave : " + self + " is not in mutex '" + name + "'");
    }
    phase = Phase.RELEASED;
    Map<ProcessId, Long> answer = new LinkedHashMap<>(deferred);
    deferred.clear();
    answer.forEach(this::sendOk);
    Runnable next = queued.poll();
    if (next != null) {
      start(next);
    }
  }

  /**
   * The fencing token of the grant held.
   *
   * @throws IllegalStateException unless held
   */
  public long fencingToken() {
    confined("fencingToken");
    if (phase != Phase.HELD) {
      throw new IllegalStateException("fencingToken : " + self + " does not hold mutex '" + name
          + "' (expected: called between the grant and leave())");
    }
    return token;
  }

  /**
   * The directory dropped this member: whatever it held or asked ends here. Queued and waiting
   * requests are dropped (their waiters are told by {@code onFenced}), nothing more goes out.
   */
  public void fence(java.util.function.Consumer<Runnable> onFenced) {
    confined("fence");
    boolean held = phase == Phase.HELD;
    List<Runnable> waiting = new java.util.ArrayList<>();
    if (phase == Phase.WANTED && onGrant != null) {
      waiting.add(onGrant);
    }
    waiting.addAll(queued);
    queued.clear();
    onGrant = null;
    deferred.clear();
    awaiting.clear();
    phase = Phase.FENCED;
    token = held ? token : 0;
    waiting.forEach(onFenced);
  }

  public void add(ProcessId member) {
    confined("add");
    if (member.equals(self) || phase == Phase.FENCED || !others.add(member)) {
      return;
    }
    if (phase == Phase.WANTED) {
      awaiting.add(member);
      sendRequests(List.of(member));
    }
  }

  /**
   * Removes {@code member}'s membership of {@code epoch}: unless a later one of it is heard
   * here already (a process restarted at its address, whose request came before the
   * directory's news of the old one's leave), it is removed; in any case its messages up to
   * {@code epoch} are refused from now on.
   */
  public void remove(ProcessId member, long epoch) {
    confined("remove");
    if (epoch > 0 && epochs.getOrDefault(member, 0L) > epoch) {
      removedAt.merge(member, epoch, Math::max);
      return;
    }
    remove(member);
    if (epoch > 0) {
      removedAt.merge(member, epoch, Math::max);
    }
  }

  public void remove(ProcessId member) {
    confined("remove");
    others.remove(member);
    awaiting.remove(member);
    deferred.remove(member);
    okayed.remove(member);
    Long epoch = epochs.remove(member);
    if (epoch != null && epoch > 0) {
      removedAt.merge(member, epoch, Math::max);
    }
    grantIfAlone();
  }

  public Set<ProcessId> others() {
    confined("others");
    return Set.copyOf(others);
  }

  public long messagesSent() {
    confined("messagesSent");
    return messages;
  }

  public long requestsResent() {
    confined("requestsResent");
    return resent;
  }

  public long grantedTimestamp() {
    confined("grantedTimestamp");
    return grantedTs;
  }

  /** A request of another member: OK now, or deferred until this one leaves. */
  void onRequest(MutexPeer.Request r) {
    confined("onRequest");
    ProcessId from = r.from();
    Stamps.checked(r.timestamp(), clock, "mutex '" + name + "': request of " + from);
    if (!others.contains(from)) {
      // An OK to a stranger could let it in beside a member; its stamp would move the clock.
      throw new IllegalArgumentException("mutex '" + name + "': request of " + from
          + " ignored: not a member (expected one of " + others + ")");
    }
    currentEpoch(from, r.epoch(), "request");
    if (phase == Phase.FENCED) {
      return; // dropped here: answering would speak for a view that ended
    }
    clock = Math.max(clock, r.timestamp()) + 1;
    boolean defer = phase == Phase.HELD
        || (phase == Phase.WANTED && before(requestTs, self, r.timestamp(), from));
    if (!defer) {
      sendOk(from, r.timestamp());
      return;
    }
    if (deferred.size() >= MAX_DEFERRED && !deferred.containsKey(from)) {
      throw new IllegalStateException("mutex '" + name + "': request of " + from
          + " refused: " + MAX_DEFERRED + " requests are deferred here already");
    }
    deferred.put(from, r.timestamp()); // one request at a time per member: the newest
  }

  /** An OK for this member's request. */
  void onOk(MutexPeer.Ok ok) {
    confined("onOk");
    if (ok.clock() < 0 || ok.clock() > Stamps.MAX) { // a clock past it would wrap
      throw new IllegalArgumentException("mutex '" + name + "': OK of " + ok.from()
          + " with clock " + ok.clock() + " ignored (expected 0.." + Stamps.MAX + ")");
    }
    if (others.contains(ok.from())) {
      currentEpoch(ok.from(), ok.epoch(), "OK");
    } else if (removedAt.containsKey(ok.from()) && ok.epoch() <= removedAt.get(ok.from())) {
      throw stale(ok.from(), ok.epoch(), "OK");
    }
    clock = Math.max(clock, ok.clock());
    if (phase != Phase.WANTED || ok.timestamp() != requestTs || !awaiting.remove(ok.from())) {
      return; // not waiting, an OK of an earlier request, or a member already removed
    }
    grantIfAlone();
  }

  /**
   * Checks a member's epoch: one older than what it sent before, or no newer than the one it
   * was removed at, is refused.
   */
  private void currentEpoch(ProcessId from, long epoch, String what) {
    Long removed = removedAt.get(from);
    Long known = epochs.get(from);
    if ((removed != null && epoch <= removed) || (known != null && epoch < known)) {
      throw stale(from, epoch, what);
    }
    epochs.put(from, epoch);
  }

  private IllegalArgumentException stale(ProcessId from, long epoch, String what) {
    return new IllegalArgumentException("mutex '" + name + "': " + what + " of " + from
        + " at membership epoch " + epoch + " refused: stale (expected: after "
        + Math.max(removedAt.getOrDefault(from, 0L), epochs.getOrDefault(from, 0L) - 1)
        + "; a member dropped from the group joins again before it takes part)");
  }

  /**
   * A ping tick for request {@code ts}: each member it still waits for is pinged; one that
   * answers and still owes its OK is asked again (the request or the OK may have been refused
   * on the way), one that is gone is removed.
   */
  void pingTick(long ts) {
    confined("pingTick");
    if (phase != Phase.WANTED || requestTs != ts) {
      pingedTs = -1;
      return; // granted, or given up
    }
    for (ProcessId p : List.copyOf(awaiting)) {
      // unreachable for a while: removed; a member only slow still counts
      context.ping(p, pinging, () -> resendIfAwaited(p, ts), () -> {
        context.memberGone(p, "mutex '" + name + "'", "removed: its OK is no longer "
            + "awaited and its request forgotten");
        remove(p);
      });
    }
    context.schedulePing(this, ts);
  }

  private void start(Runnable grant) {
    clock++;
    requestTs = clock;
    onGrant = grant;
    phase = Phase.WANTED;
    awaiting.clear();
    awaiting.addAll(others);
    sendRequests(List.copyOf(others));
    grantIfAlone();
  }

  private void sendRequests(List<ProcessId> to) {
    if (to.isEmpty()) {
      return;
    }
    messages += to.size();
    context.sendRequest(to, new MutexPeer.Request(name, requestTs, self, context.epoch()));
    if (pingedTs != requestTs) { // a member added while waiting: the pings under way cover it
      pingedTs = requestTs;
      context.schedulePing(this, requestTs);
    }
  }

  private void resendIfAwaited(ProcessId p, long ts) {
    if (phase != Phase.WANTED || requestTs != ts || !awaiting.contains(p)) {
      return;
    }
    resent++;
    context.resendRequest(p, new MutexPeer.Request(name, ts, self, context.epoch()));
  }

  /** The OK to {@code to}'s request {@code ts}; an OK for a request answered before counts as resent. */
  private void sendOk(ProcessId to, long ts) {
    Long before = others.contains(to) ? okayed.put(to, ts) : null;
    if (before != null && before == ts) {
      resent++;
    } else {
      messages++;
    }
    // clock: past this member's own token once it has entered — the fencing order
    context.sendOk(to, new MutexPeer.Ok(name, self, ts, clock, context.epoch()));
  }

  private void grantIfAlone() {
    if (phase != Phase.WANTED || !awaiting.isEmpty()) {
      return;
    }
    phase = Phase.HELD;
    grantedTs = requestTs;
    token = ++clock;
    Runnable grant = onGrant;
    onGrant = null;
    grant.run();
  }

  private void confined(String what) {
    EventConfinement.check(context.process(), owner, what);
  }

  private static boolean before(long ts1, ProcessId p1, long ts2, ProcessId p2) {
    return ts1 < ts2 || (ts1 == ts2 && BY_ID.compare(p1, p2) < 0);
  }
}
