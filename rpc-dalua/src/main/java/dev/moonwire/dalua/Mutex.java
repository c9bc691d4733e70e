package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.Stamps;
import dev.moonwire.rpc.ProcessId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mutual exclusion among a set of processes: Ricart &amp; Agrawala with Lamport clocks (seed
 * 001's {@code mutex.enterCS}, {@code mutex.request}, {@code oktogo}). Every member makes the
 * mutex with the same name and members ({@link Dalua#mutex}). To enter, a member sends a
 * timestamped request to each other member and enters once all have said OK; a member in the
 * critical section, or waiting with an earlier request (timestamp, then process id), defers its
 * OK until it leaves. So entries are granted in timestamp order, one at a time, with exactly
 * 2(n−1) messages per entry among n members.
 *
 * <p>A member that dies is removed: while a member waits for OKs it pings the members it waits
 * for every second — and sends its request again to those that answer and still owe an OK, in
 * case the request or the OK was refused on the way — and one that is gone is dropped (its OK
 * no longer awaited, its deferred request forgotten): at once when its port refuses
 * connections (its process closed or killed on a live host: within about a second), after
 * five seconds of unbroken failures when it cannot be reached at all (its host cut off). A member that is only slow is waited for: dropping a live member would
 * let two in. Safety rests on that failure detector: a member cut off for longer than that,
 * and then back, is treated as dead. Methods may be called from any thread.
 *
 * <p>Each grant carries a {@linkplain #fencingToken() fencing token} that increases in grant
 * order across the members, for a resource that must reject a holder the others took for dead.
 */
public final class Mutex {
  static final String REQUEST = "dalua.mutex.request";
  static final String OK = "dalua.mutex.ok";
  /** The largest timestamp a request may carry: far from wrapping, whatever peers send. */
  static final long MAX_TIMESTAMP = Stamps.MAX;
  /** How many requests a member defers at most, whatever ids peers send; past it, refused. */
  static final int MAX_DEFERRED = 10_000;
  private static final Duration PING = Duration.ofSeconds(1);
  private static final ScheduledExecutorService PINGS =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-mutex-pings").unstarted(r));
  private static final Comparator<ProcessId> BY_ID =
      Comparator.comparing(ProcessId::host).thenComparingInt(ProcessId::port);

  private final Dalua dalua;
  private final String name;
  private final ProcessId self;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  /** Members pinged and not answered yet ({@code Liveness.ping}). */
  private final Set<ProcessId> pinging = java.util.concurrent.ConcurrentHashMap.newKeySet();

  // guarded by this
  private final Set<ProcessId> others = new LinkedHashSet<>();
  private long clock;
  private long requestTs = -1; // the active own request, or -1
  private long pingedTs = -1; // the request whose members are being pinged
  private final Set<ProcessId> awaiting = new HashSet<>();
  private Runnable onGrant;
  private boolean inside;
  private long grantedTs = -1;
  private long token = -1; // the fencing token of the grant this member holds, or -1
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  /** Requests answered when this member leaves: the timestamp of each, by member. */
  private final Map<ProcessId, Long> deferred = new LinkedHashMap<>();
  /** The request each member last had an OK for (members only: bounded by them). */
  private final Map<ProcessId, Long> okayed = new HashMap<>();

  Mutex(Dalua dalua, String name, Collection<ProcessId> members) {
    this.dalua = dalua;
    this.name = name;
    this.self = dalua.self();
    for (ProcessId p : members) {
      if (!p.equals(self)) {
        others.add(p);
      }
    }
  }

  /** The mutex's name. */
  public String name() {
    return name;
  }

  /**
   * Asks to enter; runs {@code criticalSection} as an event of this process once granted. The
   * critical section ends with {@link #leave()} (there, or later). Entering again before
   * leaving queues the request behind this one, as the seed's {@code requests} table does.
   */
  public void enter(Runnable criticalSection) {
    Objects.requireNonNull(criticalSection, "criticalSection");
    request(() -> dalua.process().execute(criticalSection));
  }

  /**
   * Asks to enter and waits until granted: inside an event it suspends (the process serves
   * other events meanwhile; needs {@code rpc-sync}), elsewhere it blocks. Leave with
   * {@link #leave()}.
   *
   * @throws dev.moonwire.rpc.CancelledException if the waiting request is cancelled or the
   *     waiting thread interrupted; this member then does not hold the mutex (it is passed on
   *     as soon as it is granted, or at once if it was granted meanwhile)
   */
  public void enter() {
    CompletableFuture<Void> granted = new CompletableFuture<>();
    boolean[] abandoned = {false};
    request(() -> {
      boolean gone;
      synchronized (abandoned) {
        gone = abandoned[0];
        if (!gone) {
          granted.complete(null);
        }
      }
      if (gone) {
        leave(); // the waiter went away: pass it on
      }
    });
    try {
      dalua.process().await(granted);
    } catch (RuntimeException e) {
      boolean holds;
      synchronized (abandoned) {
        abandoned[0] = true;
        holds = granted.isDone();
      }
      if (holds) {
        leave(); // granted as it was cancelled: passed on, so a throw always means "not held"
      }
      throw e;
    }
  }

  /**
   * Leaves the critical section: the OKs deferred meanwhile go out, and this member's next
   * queued entry, if any, asks its turn.
   *
   * @throws IllegalStateException if this member is not in the critical section
   */
  public void leave() {
    Map<ProcessId, Long> answer;
    Runnable next;
    List<ProcessId> ask = List.of();
    long ts = -1;
    synchronized (this) {
      if (!inside) {
        throw new IllegalStateException("leave : " + self + " is not in mutex '" + name + "'");
      }
      inside = false;
      answer = new LinkedHashMap<>(deferred);
      deferred.clear();
      next = queued.poll();
      if (next != null) {
        ask = start(next);
        ts = requestTs;
      }
    }
    answer.forEach(this::sendOk);
    sendRequests(ask, ts);
    grantIfAlone();
  }

  /**
   * The fencing token of the grant this member holds: the Lamport time of the grant. Each OK
   * carries its sender's clock and a member's clock passes its own token when it enters, so a
   * holder's token exceeds that of every earlier holder whose OK it waited for: among members
   * that answer each other, tokens strictly increase in grant order. (The granted request's
   * own stamp would not: two requests with one stamp are granted one after the other, ordered
   * by process.) A resource that accepts a write only with a token at least the largest it has
   * seen can then refuse a holder that the others dropped as gone (paused or cut off past the
   * failure detector) once a later holder has written — if that later holder's token is the
   * larger, which a holder that sent no OK since its grant cannot guarantee.
   *
   * <p>Valid from the grant until {@link #leave()}; may be called from any thread, e.g. the
   * critical section given to {@link #enter(Runnable)} or the thread {@link #enter()} returned
   * on.
   *
   * @throws IllegalStateException if this member does not hold the mutex
   */
  public long fencingToken() {
    synchronized (this) {
      if (inside) {
        return token;
      }
    }
    throw new IllegalStateException("fencingToken : " + self + " does not hold mutex '" + name
        + "' (expected: called between the grant and leave())");
  }

  /** Adds a member: if this member is waiting, it asks the new one too. */
  public void add(ProcessId member) {
    boolean ask;
    long ts;
    synchronized (this) {
      if (member.equals(self) || !others.add(member)) {
        return;
      }
      ask = requestTs >= 0;
      ts = requestTs;
      if (ask) {
        awaiting.add(member);
      }
    }
    if (ask) {
      sendRequests(List.of(member), ts);
    }
  }

  /**
   * Removes a member: its OK is no longer awaited and its deferred request is forgotten. Every
   * member must remove it too (a member that dies is removed by each that notices).
   */
  public void remove(ProcessId member) {
    synchronized (this) {
      others.remove(member);
      awaiting.remove(member);
      deferred.remove(member);
      okayed.remove(member);
    }
    grantIfAlone();
  }

  /** The members other than this one. */
  public synchronized Set<ProcessId> others() {
    return Set.copyOf(others);
  }

  /**
   * Requests and OKs this member has sent (a diagnostic: 2(n−1) per entry), not counting
   * requests sent again ({@link #requestsResent()}).
   */
  public long messagesSent() {
    return messages.get();
  }

  /**
   * Requests sent again to a member that answered a ping and still owed its OK, and OKs sent
   * again to such requests (a diagnostic).
   * One-way sends can be refused on the way — the peer overloaded, its address not listening
   * yet — and either the request or its OK is then lost; sending the request again is safe (a
   * member that defers it keeps deferring it; a second OK is ignored), so a waiting member does
   * it each second until the OK comes.
   */
  public long requestsResent() {
    return resent.get();
  }

  /** The Lamport timestamp of the request last granted to this member (for tests). */
  synchronized long grantedTimestamp() {
    return grantedTs;
  }

  private void request(Runnable grant) {
    List<ProcessId> ask;
    long ts;
    synchronized (this) {
      if (requestTs >= 0 || inside) {
        queued.add(grant);
        return;
      }
      ask = start(grant);
      ts = requestTs;
    }
    sendRequests(ask, ts);
    grantIfAlone();
  }

  /** Under the lock: a new own request. Returns the members to ask. */
  private List<ProcessId> start(Runnable grant) {
    clock++;
    requestTs = clock;
    onGrant = grant;
    awaiting.clear();
    awaiting.addAll(others);
    return List.copyOf(others);
  }

  private void sendRequests(List<ProcessId> to, long ts) {
    if (to.isEmpty()) {
      return;
    }
    messages.addAndGet(to.size());
    dalua.sendToLive(to, REQUEST, name, ts, self);
    synchronized (this) {
      if (pingedTs == ts) {
        return; // a member added while waiting: the pings already under way cover it
      }
      pingedTs = ts;
    }
    schedulePing(ts);
  }

  /**
   * {@code p} answered a ping, so it is alive and has read what was sent before the ping: if it
   * still owes its OK for {@code ts}, it defers the request, or the request or the OK was lost.
   * The request goes again; in the first case nothing changes.
   */
  private void resendIfAwaited(ProcessId p, long ts) {
    synchronized (this) {
      if (requestTs != ts || !awaiting.contains(p)) {
        return;
      }
    }
    resent.incrementAndGet();
    dalua.process().send(List.of(p), REQUEST, name, ts, self);
  }

  /**
   * The OK to {@code to}'s request {@code ts}: it counts for that request only. An OK for a
   * request answered before (sent again because that OK was lost) counts as resent.
   */
  private void sendOk(ProcessId to, long ts) {
    boolean again;
    long now;
    synchronized (this) {
      Long before = others.contains(to) ? okayed.put(to, ts) : null;
      again = before != null && before == ts;
      now = clock; // past this member's own token once it has entered: the fencing order
    }
    (again ? resent : messages).incrementAndGet();
    dalua.sendToLive(List.of(to), OK, name, self, ts, now);
  }

  /** A request of {@code from} with timestamp {@code ts}: OK now, or when this one leaves. */
  void onRequest(long ts, ProcessId from) {
    boolean defer;
    synchronized (this) {
      Stamps.checked(ts, clock, "mutex '" + name + "': request of " + from);
      if (!others.contains(from)) {
        // An OK to a stranger could let it in beside a member; its stamp would move the clock.
        throw new IllegalArgumentException("mutex '" + name + "': request of " + from
            + " ignored: not a member (expected one of " + others + ")");
      }
      clock = Math.max(clock, ts) + 1;
      defer = inside || requestTs >= 0 && before(requestTs, self, ts, from);
      if (defer) {
        if (deferred.size() >= MAX_DEFERRED && !deferred.containsKey(from)) {
          throw new IllegalStateException("mutex '" + name + "': request of " + from
              + " refused: " + MAX_DEFERRED + " requests are deferred here already");
        }
        deferred.put(from, ts); // one request at a time per member: the newest
      }
    }
    if (!defer) {
      sendOk(from, ts);
    }
  }

  /** An OK of {@code from} for this member's request {@code ts}, sent at its {@code clock}. */
  void onOk(ProcessId from, long ts, long senderClock) {
    synchronized (this) {
      clock = Math.max(clock, senderClock);
      if (requestTs < 0 || ts != requestTs || !awaiting.remove(from)) {
        return; // not waiting, an OK of an earlier request, or a member already removed
      }
    }
    grantIfAlone();
  }

  /** Enters if the active request awaits no one more. */
  private void grantIfAlone() {
    Runnable grant;
    synchronized (this) {
      if (requestTs < 0 || !awaiting.isEmpty() || inside) {
        return;
      }
      inside = true;
      grantedTs = requestTs;
      token = ++clock;
      requestTs = -1;
      grant = onGrant;
      onGrant = null;
    }
    grant.run();
  }

  private static boolean before(long ts1, ProcessId p1, long ts2, ProcessId p2) {
    return ts1 < ts2 || ts1 == ts2 && BY_ID.compare(p1, p2) < 0;
  }

  /** While request {@code ts} waits, the members it waits for are pinged; the silent removed. */
  private void schedulePing(long ts) {
    PINGS.schedule(() -> {
      List<ProcessId> waitingFor;
      synchronized (this) {
        if (requestTs != ts || dalua.process().isClosed()) {
          return; // granted, or given up
        }
        waitingFor = List.copyOf(awaiting);
      }
      for (ProcessId p : waitingFor) {
        // unreachable for a while: removed; a member only slow still counts
        dalua.liveness.ping(dalua.process(), p, pinging, Dalua.PING_DEADLINE,
            () -> resendIfAwaited(p, ts), () -> {
              dalua.memberGone(p, "mutex '" + name + "'", "removed: its OK is no longer "
                  + "awaited and its request forgotten");
              remove(p);
            });
      }
      schedulePing(ts);
    }, PING.toMillis(), TimeUnit.MILLISECONDS);
  }
}
