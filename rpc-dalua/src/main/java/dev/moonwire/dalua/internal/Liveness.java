package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import java.util.LinkedHashSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The failure detector of the mutex, of total order and of the hub: whether a member whose ping
 * failed is gone. A slow member is never gone — a ping that times out says nothing — and neither
 * is one whose connection failed once (a dial refused, a connection dropped and made again): a
 * member is gone after an unbroken run of failures lasting {@link #GONE_AFTER} — each failure
 * within {@link #RUN_GAP} of the one before, nothing heard from it in between — or when it
 * answers that DALua is not there, or at once when a dial to a member heard from before is
 * refused (its host up, nothing listening where it did: killed or closed). Anything heard from
 * a member (an answer, a protocol message) clears its suspicion. Like every detector built on timeouts, it can be wrong about a member
 * cut off for longer than that; such a member is dropped as if it had died.
 *
 * <p>Confined to its owner process's events, like the algorithms that ask it (DESIGN §8): pings
 * go out and their answers come back as events, messages are heard in handlers — so it needs
 * no lock, and {@link EventConfinement#check} at every step says so.
 */
public final class Liveness {
  /** How long a member must stay unreachable to count as gone. */
  public static final Duration GONE_AFTER = Duration.ofSeconds(5);

  /**
   * The longest quiet time between two failures of one run: a ping refused at once fails each
   * second, one to a silent host only after its dial times out (10 s). Two failures further
   * apart are two separate incidents, not one outage.
   */
  static final Duration RUN_GAP = Duration.ofSeconds(15);

  /**
   * How many suspected processes it remembers by default: four times the 10,000 members a hub
   * holds, so they are always tracked to their verdict (the hub gives its own bound: {@link
   * #Liveness(LongSupplier, int)}).
   */
  static final int REMEMBERED = 40_000;

  /** One member's current run of failures. */
  private static final class Suspicion {
    final long since;
    long last;
    boolean gone;

    Suspicion(long now) {
      this.since = now;
      this.last = now;
    }
  }

  /**
   * The suspected members, in the order their runs began; gone ones stay
   * until heard from. Bounded whatever ids peers send, and never by forgetting a run under way:
   * a detector that dropped its oldest runs to make room would, with more suspects than room,
   * restart every run before it ended and see none of them gone.
   */
  private final Map<ProcessId, Suspicion> suspected = new LinkedHashMap<>();
  /**
   * The processes heard from, the most recent last: a dial to
   * one of them refused means the process that listened there is gone. Forgetting one (past
   * {@code capacity}) only costs it the fast verdict.
   */
  private final LinkedHashSet<ProcessId> reached = new LinkedHashSet<>();
  /** The process whose events it belongs to; null in unit tests, which run on one thread. */
  private final RpcProcess owner;
  private final int capacity;
  private final LongSupplier nanoTime;

  /** {@code owner}'s detector. */
  public Liveness(RpcProcess owner) {
    this(owner, REMEMBERED);
  }

  /** {@code owner}'s detector, remembering {@code capacity} suspects. */
  public Liveness(RpcProcess owner, int capacity) {
    this(owner, System::nanoTime, capacity);
  }

  /** For tests, on one thread: a detector reading the time from {@code nanoTime}. */
  Liveness(LongSupplier nanoTime) {
    this(null, nanoTime, REMEMBERED);
  }

  Liveness(LongSupplier nanoTime, int capacity) {
    this(null, nanoTime, capacity);
  }

  private Liveness(RpcProcess owner, LongSupplier nanoTime, int capacity) {
    this.owner = owner;
    this.nanoTime = nanoTime;
    this.capacity = capacity;
  }

  private void confined(String what) {
    if (owner != null) {
      EventConfinement.check(owner, "failure detector: ", what);
    }
  }

  /** The function every DALua process answers, to show it is there. */
  public static final String ALIVE = "dalua.alive";

  /**
   * Pings {@code p} from {@code process}, unless a ping of it by the same caller (whose pings
   * out are {@code outstanding}) has not come back: a member that was paused answers one ping,
   * not all that piled up. If it answers, {@code alive} runs; if this fails and {@code p}
   * counts as gone, {@code gone} runs; a ping only slow, or unreachable for less than {@link
   * #GONE_AFTER}, runs neither. Both run as events of {@code process}.
   */
  public void ping(RpcProcess process, ProcessId p, Set<ProcessId> outstanding,
      Duration deadline, Runnable alive, Runnable gone) {
    confined("ping");
    if (!outstanding.add(p)) {
      return;
    }
    process.async(p, ALIVE, v -> {
      outstanding.remove(p);
      heard(p);
      alive.run();
    }, e -> {
      outstanding.remove(p);
      if (gone(p, e)) {
        gone.run();
      }
    }).withDeadline(deadline).call();
  }

  /** A ping of {@code p} was answered. */
  public void answered(ProcessId p) {
    heard(p);
  }

  /** Something came from {@code p} — an answer, a protocol message: it is not gone. */
  public void heard(ProcessId p) {
    confined("heard");
    suspected.remove(p);
    if (!reached.isEmpty() && reached.getLast().equals(p)) {
      return; // heard last already: a node per message saved
    }
    reached.remove(p);
    reached.add(p);
    if (reached.size() > capacity) {
      reached.remove(reached.iterator().next());
    }
  }

  /**
   * Whether {@code e} is a dial refused by the peer's host (nothing listening at its port), as
   * the transport words it (NIO: "Connection refused: /h:p"; epoll: "connect(..) failed:
   * Connection refused") — not a dial that timed out, nor a connection lost.
   */
  static boolean refused(RpcException e) {
    String m = e.getMessage();
    return m != null && m.startsWith("cannot connect to ") && m.contains("Connection refused");
  }

  /**
   * With the table full: forgets the runs that ended (no failure for {@link
   * #RUN_GAP}), or else the oldest verdict (acted on already: a member gone is dropped by those
   * that asked). True if there is room now.
   */
  private boolean makeRoom(long now) {
    suspected.values().removeIf(s -> !s.gone && now - s.last > RUN_GAP.toNanos());
    if (suspected.size() < capacity) {
      return true;
    }
    for (var it = suspected.values().iterator(); it.hasNext(); ) {
      if (it.next().gone) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /** Whether {@code p} counts as gone now (until it is heard from again). */
  public boolean isGone(ProcessId p) {
    confined("isGone");
    Suspicion s = suspected.get(p);
    return s != null && s.gone;
  }

  /** A ping of {@code p} failed with {@code e}: true once {@code p} counts as gone. */
  public boolean gone(ProcessId p, RpcException e) {
    if (e instanceof NoSuchFunctionException) {
      return true; // a process at that address, without DALua: not the member
    }
    if (!(e instanceof PeerUnavailableException)) {
      return false; // slow (deadline), or this process closing: not evidence
    }
    confined("gone");
    long now = nanoTime.getAsLong();
    Suspicion s = suspected.get(p);
    if (s != null && s.gone) {
      // Once gone, gone for every asker until it answers: the mutex, total order and the hub
      // share one detector, and one of them must not take the verdict from the others.
      return true;
    }
    if (refused(e) && reached.contains(p)) {
      // Its host is up and says nothing listens where it did: the process we heard from is
      // gone (killed, or closed), now — only silence needs the full bound.
      suspected.remove(p);
      Suspicion dead = new Suspicion(now);
      dead.gone = true;
      suspected.put(p, dead);
      return true;
    }
    if (s == null || now - s.last > RUN_GAP.toNanos()) {
      suspected.remove(p); // an old incident: this failure starts a new run
      if (suspected.size() >= capacity && !makeRoom(now)) {
        return false; // every run under way is kept to its end: this one starts later
      }
      suspected.put(p, new Suspicion(now));
      return false;
    }
    s.last = now;
    s.gone = now - s.since >= GONE_AFTER.toNanos();
    return s.gone;
  }
}
