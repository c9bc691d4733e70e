package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.Stamps;
import dev.moonwire.dalua.internal.mutex.MutexPeer;
import dev.moonwire.dalua.internal.mutex.MutexState;
import dev.moonwire.rpc.ProcessId;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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
 * and then back, is treated as dead — and fenced: the others refuse its messages from the
 * membership epoch they dropped it in, and once it learns that its directory dropped it, its
 * mutexes fail with {@link dev.moonwire.rpc.FencedException} until it joins again and makes
 * them anew ({@link Dalua#mutex}).
 *
 * <p>Methods may be called from any thread: each hops onto an event of the process, where the
 * algorithm's state lives (so it needs no lock), and waits for it off the process's events.
 *
 * <p>Each grant carries a {@linkplain #fencingToken() fencing token} that increases in grant
 * order across the members, for a resource that must reject a holder the others took for dead.
 */
public final class Mutex {
  static final String REQUEST = MutexPeer.PREFIX + ".request";
  static final String OK = MutexPeer.PREFIX + ".ok";
  /** The largest timestamp a request may carry: far from wrapping, whatever peers send. */
  static final long MAX_TIMESTAMP = dev.moonwire.dalua.internal.Stamps.MAX;

  private final Dalua dalua;
  private final MutexState state;

  Mutex(Dalua dalua, MutexState state) {
    this.dalua = dalua;
    this.state = state;
  }

  MutexState state() {
    return state;
  }

  /** The mutex's name. */
  public String name() {
    return state.name();
  }

  /**
   * Asks to enter; runs {@code criticalSection} as an event of this process once granted. The
   * critical section ends with {@link #leave()} (there, or later). Entering again before
   * leaving queues the request behind this one, as the seed's {@code requests} table does.
   *
   * @throws dev.moonwire.rpc.FencedException if this process's directory dropped it (it joins
   *     again and makes the mutex anew); a request queued when that is learned is dropped.
   *     Asking first confirms this process's membership with its directory if it was not
   *     confirmed lately (a call: this process may have been frozen or cut off)
   */
  public void enter(Runnable criticalSection) {
    Objects.requireNonNull(criticalSection, "criticalSection");
    dalua.confirmMembership();
    dalua.onEvent(() -> {
      dalua.checkNotFenced("mutex '" + name() + "': enter");
      state.request(() -> dalua.process().execute(criticalSection));
      return null;
    });
  }

  /**
   * Asks to enter and waits until granted: inside an event it suspends (the process serves
   * other events meanwhile; needs {@code rpc-sync}), elsewhere it blocks. Leave with
   * {@link #leave()}.
   *
   * @throws dev.moonwire.rpc.CancelledException if the waiting request is cancelled or the
   *     waiting thread interrupted; this member then does not hold the mutex (it is passed on
   *     as soon as it is granted, or at once if it was granted meanwhile)
   * @throws dev.moonwire.rpc.FencedException if this process's directory dropped it, before or
   *     while it waited: it does not hold the mutex
   */
  public void enter() {
    Waiter waiter = new Waiter();
    dalua.confirmMembership();
    dalua.onEvent(() -> {
      dalua.checkNotFenced("mutex '" + name() + "': enter");
      state.request(waiter);
      return null;
    });
    try {
      dalua.process().await(waiter.granted);
    } catch (RuntimeException e) {
      if (!(e instanceof dev.moonwire.rpc.FencedException)) {
        dalua.onEventLater(waiter::abandon);
      }
      throw e;
    }
  }

  /**
   * The grant of one {@link #enter()}: completes its future, or passes the mutex on if its
   * caller went away meanwhile. Its methods run on the process's events.
   */
  final class Waiter implements Runnable {
    final CompletableFuture<Void> granted = new CompletableFuture<>();
    private boolean abandoned;

    @Override
    public void run() {
      if (abandoned) {
        state.leave(); // the waiter went away: pass it on
      } else {
        granted.complete(null);
      }
    }

    /** The caller stopped waiting (cancelled, interrupted): it must not hold the mutex. */
    void abandon() {
      abandoned = true;
      if (granted.isDone() && !granted.isCompletedExceptionally()
          && state.phase() == MutexState.Phase.HELD) {
        state.leave(); // granted as it was cancelled: passed on, so a throw means "not held"
      }
    }

    /** This process was fenced while the caller waited. */
    void fenced(RuntimeException error) {
      granted.completeExceptionally(error);
    }

    String name() {
      return state.name();
    }
  }

  /**
   * Leaves the critical section: the OKs deferred meanwhile go out, and this member's next
   * queued entry, if any, asks its turn. A member fenced while inside only ends its section:
   * it answers no one.
   *
   * @throws IllegalStateException if this member is not in the critical section
   */
  public void leave() {
    dalua.onEvent(() -> {
      state.leave();
      return null;
    });
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
   * @throws IllegalStateException if this member does not hold the mutex (a fenced member
   *     holds none)
   */
  public long fencingToken() {
    return dalua.onEvent(state::fencingToken);
  }

  /** Adds a member: if this member is waiting, it asks the new one too. */
  public void add(ProcessId member) {
    Objects.requireNonNull(member, "member");
    dalua.onEvent(() -> {
      state.add(member);
      return null;
    });
  }

  /**
   * Removes a member: its OK is no longer awaited and its deferred request is forgotten, and
   * its messages from the membership epoch it had are refused from now on. Every member must
   * remove it too (a member that dies is removed by each that notices).
   */
  public void remove(ProcessId member) {
    Objects.requireNonNull(member, "member");
    dalua.onEvent(() -> {
      state.remove(member);
      return null;
    });
  }

  /**
   * Removes {@code member}'s membership of {@code epoch} — as {@code dalua_app_leave} names it
   * (its third argument, with a directory that keeps epochs): like {@link #remove(ProcessId)},
   * unless a later membership of that address is heard here already (a process restarted
   * there, whose request overtook the news of the old one's leave), which stays.
   */
  public void remove(ProcessId member, long epoch) {
    Objects.requireNonNull(member, "member");
    dalua.onEvent(() -> {
      state.remove(member, epoch);
      return null;
    });
  }

  /** The members other than this one. */
  public Set<ProcessId> others() {
    return dalua.onEvent(state::others);
  }

  /**
   * Requests and OKs this member has sent (a diagnostic: 2(n−1) per entry), not counting
   * requests sent again ({@link #requestsResent()}).
   */
  public long messagesSent() {
    return dalua.onEvent(state::messagesSent);
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
    return dalua.onEvent(state::requestsResent);
  }

  /** The Lamport timestamp of the request last granted to this member (for tests). */
  long grantedTimestamp() {
    return dalua.onEvent(state::grantedTimestamp);
  }
}
