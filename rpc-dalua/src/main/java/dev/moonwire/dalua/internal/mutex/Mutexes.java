package dev.moonwire.dalua.internal.mutex;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.Reports;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.dalua.internal.Stamps;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A process's mutexes, by name, and the receiving end of {@link MutexPeer}: each message is
 * checked (its sender is the authenticated peer, its stamp in range) and handed to the mutex it
 * names — or, for a mutex not made here yet, kept (the newest request of each member, at most
 * {@link #MAX_EARLY_REQUESTS}) until it is. Everything here runs on the process's events.
 */
public final class Mutexes implements MutexPeer, MutexContext {
  /** How many requests wait at most for mutexes not made here, whatever names peers send. */
  static final int MAX_EARLY_REQUESTS = 10_000;
  /** How often a waiting member pings the members it waits for. */
  static final Duration PING = Duration.ofSeconds(1);
  /** How long a liveness ping may take before it is asked again (a slow member is not dead). */
  static final Duration PING_DEADLINE = Duration.ofSeconds(30);

  /** What a mutex needs from the rest of DALua: where to report, and its directory. */
  public interface Host extends Reports {
    /**
     * Whether the directory holds {@code p} (then its verdict, not the mutex's detector,
     * removes it). A call, made off the process's events.
     */
    boolean directoryHolds(ProcessId p);

    /**
     * The membership epoch the directory gave {@code p} ({@code Directory.Session.epochOf}).
     * A call: inside an event it suspends it.
     */
    long directoryEpoch(ProcessId p);
  }

  /** How many members' vouched epochs are remembered; one forgotten is asked again. */
  static final int MAX_VOUCHED = 10_000;

  private final RpcProcess process;
  private final Liveness liveness;
  private final Scheduler scheduler;
  private final LongSupplier epoch;
  private final Function<String, FencedException> fenced;
  private final Host host;
  private final Map<String, MutexState> made = new HashMap<>();
  /** Requests for mutexes not made here yet: the newest of each member, by name. */
  private final Map<String, Map<ProcessId, Request>> early = new HashMap<>();
  private int earlyCount;
  /**
   * The epoch the directory gave each member that spoke, as last asked: a claim up to it
   * passes without asking again. Bounded: the least recently heard is forgotten.
   */
  private final Map<ProcessId, Long> vouched = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<ProcessId, Long> eldest) {
      return size() > MAX_VOUCHED;
    }
  };

  /**
   * @param epoch this process's membership epoch, read on its events
   * @param fenced the error of an operation of a process its directory dropped
   */
  public Mutexes(RpcProcess process, Liveness liveness, Scheduler scheduler, LongSupplier epoch,
      Function<String, FencedException> fenced, Host host) {
    this.process = process;
    this.liveness = liveness;
    this.scheduler = scheduler;
    this.epoch = epoch;
    this.fenced = fenced;
    this.host = host;
  }

  /** Exports {@link MutexPeer} on the process. */
  public Mutexes export() {
    process.export(PREFIX, MutexPeer.class, this);
    return this;
  }

  /**
   * The mutex {@code name}: made among {@code members} if it is not here (or was fenced), with
   * the requests that came for it before.
   */
  public MutexState make(String name, Collection<ProcessId> members) {
    EventConfinement.check(process, "mutex '" + name + "': make");
    MutexState m = made.get(name);
    if (m == null || m.phase() == MutexState.Phase.FENCED) {
      m = new MutexState(this, name, members);
      made.put(name, m);
      replayEarly(m);
    }
    return m;
  }

  /**
   * The directory dropped this process: every mutex is fenced (its waiters told by {@code
   * onFenced}) and forgotten, with the requests that waited for mutexes not made yet.
   */
  public void fenceAll(java.util.function.Consumer<Runnable> onFenced) {
    EventConfinement.check(process, "mutexes: fence");
    List<MutexState> all = new ArrayList<>(made.values());
    made.clear();
    early.clear();
    earlyCount = 0;
    all.forEach(m -> m.fence(onFenced));
  }

  @Override
  public void request(Request r) {
    ProcessId from = authenticated(r.from(), r.mutex(), "a request");
    vouch(from, r.epoch(), r.mutex(), "a request"); // may suspend
    MutexState m = made.get(r.mutex());
    if (m != null) {
      m.onRequest(r);
      return;
    }
    EventConfinement.check(process, "mutex: early request for ", r.mutex());
    Stamps.checked(r.timestamp(), 0, "mutex '" + r.mutex() + "': request of " + from);
    Map<ProcessId, Request> byMember = early.get(r.mutex());
    boolean known = byMember != null && byMember.containsKey(from);
    if (!known && earlyCount >= MAX_EARLY_REQUESTS) {
      // Answering OK unasked would let two in; holding more would grow without bound.
      throw new IllegalStateException("mutex '" + r.mutex() + "': request of " + from
          + " ignored: " + MAX_EARLY_REQUESTS + " requests already wait for mutexes not "
          + "made here (expected: every member makes the mutex it is asked for)");
    }
    // one request per member at a time: a request sent again, or a newer one, replaces it
    early.computeIfAbsent(r.mutex(), n -> new LinkedHashMap<>())
        .merge(from, r, (a, b) -> a.timestamp() >= b.timestamp() ? a : b);
    if (!known) {
      earlyCount++;
    }
  }

  @Override
  public void ok(Ok ok) {
    ProcessId from = authenticated(ok.from(), ok.mutex(), "an OK");
    vouch(from, ok.epoch(), ok.mutex(), "an OK"); // may suspend
    MutexState m = made.get(ok.mutex());
    if (m != null) {
      m.onOk(ok);
    }
  }

  private void replayEarly(MutexState m) {
    Map<ProcessId, Request> waiting = early.remove(m.name());
    if (waiting == null) {
      return;
    }
    earlyCount -= waiting.size();
    for (Request r : waiting.values()) {
      try {
        m.onRequest(r);
      } catch (IllegalArgumentException refused) { // a stranger's: reported, as it would be
        host.report(refused);                       // had it come after the mutex was made
      }
    }
  }

  /**
   * In a handler: the process that sent the message — the authenticated peer of its connection,
   * never a field the sender writes — provided the message names it too; it is not gone,
   * whatever its last ping said.
   */
  private ProcessId authenticated(ProcessId claimed, String mutex, String kind) {
    ProcessId sender = Rpc.sender();
    if (!sender.equals(claimed)) {
      throw new IllegalArgumentException(what(mutex, kind) + " naming " + claimed + " as its "
          + "sender ignored: it came from " + sender + " (expected: each member sends its own)");
    }
    liveness.heard(sender);
    return sender;
  }

  /**
   * In a handler: refuses a message whose sender claims a membership epoch later than the one
   * its directory gave it — the sender writes the epoch, so a member could otherwise claim one
   * past its real membership, and a leave naming the real one (as the directory tells it)
   * would then not remove it. Asks the directory (suspending the event) only for a claim past
   * what it vouched for last; state is read after.
   *
   * @throws IllegalArgumentException naming the sender, the claim and the directory's epoch
   */
  private void vouch(ProcessId from, long claimed, String mutex, String kind) {
    if (claimed <= 0) {
      return; // no membership claimed: the mutex's own epoch checks apply
    }
    Long known = vouched.get(from);
    if (known != null && claimed <= known) {
      return;
    }
    long given = host.directoryEpoch(from);
    EventConfinement.check(process, "mutex: epoch vouched for ", mutex);
    vouched.put(from, given);
    if (claimed > given) {
      throw new IllegalArgumentException(what(mutex, kind) + " of " + from + " at membership "
          + "epoch " + claimed + " refused: its directory gave it " + given + " (expected: the "
          + "epoch its directory gave it, or an earlier one)");
    }
  }

  /** A message's name in errors: built only for one, not per message. */
  private static String what(String mutex, String kind) {
    return "mutex '" + mutex + "': " + kind;
  }

  // MutexContext

  @Override
  public RpcProcess process() {
    return process;
  }

  @Override
  public ProcessId self() {
    return process.id();
  }

  @Override
  public long epoch() {
    return epoch.getAsLong();
  }

  @Override
  public FencedException fenced(String what) {
    return fenced.apply(what);
  }

  @Override
  public void sendRequest(Collection<ProcessId> to, Request request) {
    List<ProcessId> live = live(to);
    if (!live.isEmpty()) {
      process.send(live, PREFIX, MutexPeer.class).request(request);
    }
  }

  @Override
  public void resendRequest(ProcessId to, Request request) {
    process.send(List.of(to), PREFIX, MutexPeer.class).request(request);
  }

  @Override
  public void sendOk(ProcessId to, Ok ok) {
    List<ProcessId> live = live(List.of(to));
    if (!live.isEmpty()) {
      process.send(live, PREFIX, MutexPeer.class).ok(ok);
    }
  }

  /** All of {@code to} but those the detector holds gone: a send to one would only fail. */
  private List<ProcessId> live(Collection<ProcessId> to) {
    return to.stream().filter(p -> !liveness.isGone(p)).toList();
  }

  /**
   * A member the detector holds gone is removed only if the directory does not hold it: when
   * it does, membership is the directory's to decide (its leave removes the member), and a
   * mutex that dropped a member the directory keeps would split the view — the member, back
   * from a pause, waiting on members that refuse it, or entering beside them. A directory that
   * cannot be asked is taken to hold it: waiting is safe.
   */
  @Override
  public void ping(ProcessId p, Set<ProcessId> outstanding, Runnable alive, Runnable gone) {
    liveness.ping(process, p, outstanding, PING_DEADLINE, alive,
        () -> Thread.ofVirtual().name("dalua-mutex-verdict").start(() -> {
          boolean held;
          try {
            held = host.directoryHolds(p);
          } catch (RuntimeException cannotAsk) {
            held = true;
          }
          if (!held) {
            try {
              process.execute(gone);
            } catch (ProcessClosedException closed) {
              // nothing waits any more
            }
          }
        }));
  }

  @Override
  public void schedulePing(MutexState state, long ts) {
    scheduler.schedule(() -> {
      try {
        process.execute(() -> state.pingTick(ts));
      } catch (ProcessClosedException closed) {
        // nothing waits any more
      }
    }, PING);
  }

  @Override
  public void memberGone(ProcessId member, String algorithm, String done) {
    host.memberGone(member, algorithm, done);
  }
}
