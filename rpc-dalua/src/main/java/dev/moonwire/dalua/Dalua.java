package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.Multicasts;
import dev.moonwire.dalua.internal.Stamps;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.dalua.internal.mutex.MutexState;
import dev.moonwire.dalua.internal.mutex.Mutexes;
import dev.moonwire.dalua.internal.topic.Topics;
import dev.moonwire.dalua.internal.space.Spaces;
import dev.moonwire.dalua.internal.space.SpaceHost;
import dev.moonwire.dalua.internal.space.SpaceOp;
import dev.moonwire.dalua.internal.space.SpacePeer;
import dev.moonwire.dalua.internal.topic.TopicHost;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Seed 000's DALua on a Moonwire process: groups of processes ({@link #apps()}), events
 * ({@link #events()}) and timers ({@link #timers()}). Attach it once per process that takes
 * part; attaching exports the functions DALua's processes exchange (under {@code dalua.}).
 * Every method may be called from any thread. Handlers run as events of the process, one at a
 * time with its other events, so they need no locks.
 *
 * <pre>{@code
 * Dalua dalua = Dalua.attach(process, Directory.hostedBy(hub));
 * dalua.events().monitor("dalua_app_join", (event, args) -> greet(args.get(1, ProcessId.class)));
 * dalua.apps().join("myapp");
 * dalua.events().raise("hello", dalua.apps().processes("myapp"), "world");
 * }</pre>
 */
public final class Dalua {
  /** The function through which events are delivered: (event, args). */
  static final String EVENT_FUNCTION = "dalua.event";
  /**
   * Raised on every member when a process joins a group: (app, process), and with a directory
   * that keeps membership epochs ({@link Directory}) the process's epoch as a third argument.
   */
  public static final String APP_JOIN = "dalua_app_join";
  /**
   * Raised on every member when a process leaves a group, or its process ends: (app, process),
   * and the epoch that ended as a third argument with a directory that keeps them (give it to
   * {@link Mutex#remove(ProcessId, long)}). Raised on a process itself, with its epoch, when it
   * learns that its directory dropped it (fenced: it joins again to take part).
   */
  public static final String APP_LEAVE = "dalua_app_leave";
  /** Answered by every DALua process: its liveness, for hubs and mutexes. */
  static final String ALIVE = Liveness.ALIVE;
  /** How long a liveness ping may take before it is asked again (a slow member is not dead). */
  static final Duration PING_DEADLINE = Duration.ofSeconds(30);
  /** Which members are gone, for this process's mutexes and multicasts; on its events only. */
  final Liveness liveness;
  /** Delays for DALua's retries (replaced in tests). */
  final Timers.Scheduler scheduler = Timers.SYSTEM;

  private final RpcProcess process;
  private final Directory.Session session;
  private final String directoryName;
  private final Apps apps;
  private final Events events;
  private final Timers timers;
  /** The mutexes' state and protocol; on the process's events only. */
  private final Mutexes mutexes;
  /** The public face of each mutex made here, by name; on the process's events only. */
  private final java.util.Map<String, Mutex> mutexFaces = new java.util.HashMap<>();
  /**
   * Whether the directory dropped this process and it has not joined again: its mutexes are
   * fenced and its DALua operations fail. On the process's events only.
   */
  private boolean fenced;
  /** How many groups a peer's messages may make multicast state for, here. */
  static final int MAX_MULTICAST_APPS = 1_024;
  /** Total and causal order: their state, protocols and the Multicasts handed out. */
  final Multicasts multicasts;
  /** This process's publish/subscribe topics. */
  private final Topics topics;
  /** How long a publish waits for a full subscriber (tests shorten it). */
  volatile Duration publishDeadline = Duration.ofSeconds(30);
  /** The replicated tuple spaces, one per group; on the process's events only. */
  private final Spaces spaces;

  private Dalua(RpcProcess process, Directory directory) {
    this.process = process;
    this.directoryName = directory.toString();
    this.liveness = new Liveness(process);
    this.events = new Events(this);
    process.export(EVENT_FUNCTION, a -> {
      events.deliver(a.stringAt(0), a.get(1, Object[].class));
      return null;
    });
    process.export(ALIVE, a -> true);
    Host host = new Host();
    this.multicasts = new Multicasts(process, app -> apps().processes(app), MAX_MULTICAST_APPS,
        liveness, scheduler::schedule, host);
    this.spaces = new Spaces(new SpaceHosting(this)).export();
    events.monitor(APP_LEAVE, (event, args) ->
        spaces.left(args.get(0, String.class), args.get(1, ProcessId.class)));
    this.mutexes = new Mutexes(process, liveness, Scheduler.SYSTEM, this::epoch, this::fencedError,
        host).export();
    this.session = directory.connect(process, new Directory.Listener() {
      @Override
      public void joined(String app, ProcessId p) {
        events.deliver(APP_JOIN, new Object[] {app, p});
      }

      @Override
      public void left(String app, ProcessId p) {
        events.deliver(APP_LEAVE, new Object[] {app, p});
      }

      @Override
      public void left(String app, ProcessId p, long epoch) {
        events.deliver(APP_LEAVE, new Object[] {app, p, epoch}); // as the hub raises it
      }

      @Override
      public void dropped(long epoch, Set<String> apps) {
        onEventLater(() -> fence(epoch, apps));
      }
    });
    this.apps = new Apps(this, session);
    this.timers = new Timers(process, Timers.SYSTEM);
    this.topics = new Topics(new TopicsHost(this)).export();
  }

  /**
   * Attaches DALua to {@code process}, with its groups in {@code directory}.
   *
   * @throws IllegalStateException if the process is closed
   */
  public static Dalua attach(RpcProcess process, Directory directory) {
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(directory, "directory");
    if (process.isClosed()) {
      throw new IllegalStateException("attach : " + process + " is closed");
    }
    return new Dalua(process, directory);
  }

  /** This process's id. */
  public ProcessId self() {
    return process.id();
  }

  /** The process DALua is attached to. */
  public RpcProcess process() {
    return process;
  }

  /** Groups of processes (seed: {@code dalua.app}). */
  public Apps apps() {
    return apps;
  }

  /** Events (seed: {@code dalua.events}). */
  public Events events() {
    return events;
  }

  /** Timers (seed: {@code dalua.timer}). */
  public Timers timers() {
    return timers;
  }

  /**
   * Causal multicast to the members of {@code app} (vector clocks): a message sent after
   * delivering (or sending) another is delivered after it at every member; concurrent ones in
   * any order. Each message is delivered once at each member, as a call of its function in an
   * event of that process.
   */
  public Multicast causal(String app) {
    return multicasts.causal(Objects.requireNonNull(app, "app"));
  }

  /**
   * Total-order multicast to the members of {@code app} (ISIS agreed timestamps): every member
   * delivers the same messages in the same order, the sender's own included, and each sender's
   * in the order it sent them. A member that dies does not block delivery for ever: once the
   * failure detector holds it gone, the live members settle what it owed. Each message is delivered once at
   * each member, as a call of its function in an event of that process.
   */
  public Multicast total(String app) {
    return multicasts.total(Objects.requireNonNull(app, "app"));
  }

  /**
   * The FIFO topic {@code name} of messages of {@code type}, among the processes attached to
   * this directory: declared there the first time, the same topic after. See {@link Topic}.
   * Any thread; inside an event it suspends while the directory is asked, elsewhere it blocks.
   *
   * @throws dev.moonwire.rpc.GroupException if {@code name} is declared with another type or
   *     ordering (here or at another process attached to the directory); two processes
   *     declaring one name with two types at the same moment may both get it
   * @throws dev.moonwire.rpc.RpcException if the directory cannot be reached
   */
  public <T> Topic<T> topic(String name, Class<T> type) {
    return topic(name, type, Ordering.FIFO);
  }

  /**
   * The topic {@code name} of messages of {@code type} in {@code ordering}; otherwise as
   * {@link #topic(String, Class)}.
   *
   * @throws dev.moonwire.rpc.GroupException if {@code name} is declared with another type or
   *     ordering
   */
  public <T> Topic<T> topic(String name, Class<T> type, Ordering ordering) {
    return topics.declare(name, type, ordering);
  }

  /** Topics' internals (for tests). */
  Topics topics() {
    return topics;
  }

  /**
   * The tuple space of {@code group}, replicated on its members, holding at most {@link
   * SpaceLimits#DEFAULT}: see {@link #space(String, SpaceLimits)}.
   */
  public TupleSpace space(String group) {
    return space(group, SpaceLimits.DEFAULT);
  }

  /**
   * The tuple space of {@code group}, replicated on its members (DESIGN §12), holding at most
   * {@code limits} (every member should give the same). Every operation — lease expiries and
   * the removals that follow a member's leaving or death too — is applied in the group's total
   * order, so every member holds the same tuples. The first call here makes this member's copy:
   * it receives the current tuples from a member that holds them before its first operation
   * runs (the operations wait for it: suspension points). Calling it again returns the same
   * space. A member that leaves or dies, as the directory judges it, takes nothing with it: its
   * waiting requests end, its loans ({@link Taken} not done) come back, its {@link
   * Lease#whileAlive()} tuples go.
   *
   * @throws dev.moonwire.rpc.GroupException if this process is not a member of {@code group},
   *     or the group does not exist
   */
  public TupleSpace space(String group, SpaceLimits limits) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(limits, "limits");
    return onEvent(() -> spaces.space(group, limits));
  }

  /**
   * The mutex {@code name} among {@code members} (this process may be among them; it is a
   * member in any case) — seed 001's Ricart &amp; Agrawala. Every member makes it with the same
   * name and members; making it again here returns the same mutex.
   */
  public Mutex mutex(String name, Collection<ProcessId> members) {
    Objects.requireNonNull(name, "name");
    List<ProcessId> copy = List.copyOf(Objects.requireNonNull(members, "members"));
    return onEvent(() -> {
      checkNotFenced("mutex '" + name + "'");
      MutexState state = mutexes.make(name, copy);
      Mutex face = mutexFaces.get(name);
      if (face == null || face.state() != state) {
        face = new Mutex(this, state);
        mutexFaces.put(name, face);
      }
      return face;
    });
  }

  /** This process's membership epoch in its directory (0 if it keeps none). */
  long epoch() {
    return session.epoch();
  }

  /**
   * On an event: the directory dropped this process at {@code epoch} from {@code apps}. Its
   * mutexes end (waiters fail with the fencing error), and its own leave is raised here, as
   * on the others.
   */
  private void fence(long epoch, Set<String> apps) {
    if (fenced) {
      return;
    }
    fenced = true;
    MEMBERS.info("{}: dropped by {} at membership epoch {} from {}: its mutexes end; it joins "
        + "again to take part", process.id(), directoryName, epoch, apps);
    mutexes.fenceAll(grant -> { // a waiting enter() fails; enter(Runnable)'s are dropped
      if (grant instanceof Mutex.Waiter waiter) {
        waiter.fenced(fencedError("mutex '" + waiter.name() + "': enter"));
      }
    });
    mutexFaces.clear();
    topics.fence(this::fencedError);
    for (String app : apps) {
      events.deliver(APP_LEAVE, new Object[] {app, process.id(), epoch});
    }
  }

  /**
   * Before an operation that acts on this process's membership, on the calling thread: makes
   * sure it is still current (a call to the directory if it was not confirmed lately).
   *
   * @throws dev.moonwire.rpc.FencedException if the directory dropped this process
   */
  void confirmMembership() {
    session.confirm();
  }

  /** On an event: this process joined a group, so it takes part again if it was fenced. */
  private void rejoined() {
    fenced = false;
  }

  private dev.moonwire.rpc.FencedException fencedError(String what) {
    return new dev.moonwire.rpc.FencedException(what + " : " + process.id() + " was dropped "
        + "from its groups by " + directoryName + " (taken for gone: cut off or paused past the "
        + "failure detector's bound); its mutexes and multicasts ended (expected: join the "
        + "groups again with apps().join, then make the mutexes again)");
  }

  /** On an event: throws if this process is fenced. */
  void checkNotFenced(String what) {
    dev.moonwire.dalua.internal.EventConfinement.check(process, "fencing");
    if (fenced) {
      throw fencedError(what);
    }
  }

  /**
   * Runs {@code action} on an event of the process — at once if the caller runs one — and
   * returns its result; elsewhere the caller waits. What it throws is thrown here.
   *
   * @throws dev.moonwire.rpc.ProcessClosedException if the process is closed
   */
  <T> T onEvent(java.util.function.Supplier<T> action) {
    return dev.moonwire.dalua.internal.EventConfinement.onEvent(process, action);
  }

  /** Runs {@code action} as a later event of the process, unless it is closed. */
  void onEventLater(Runnable action) {
    try {
      process.execute(action);
    } catch (dev.moonwire.rpc.ProcessClosedException closed) {
      // nothing to do any more
    }
  }

  /**
   * Members seen gone, and what each algorithm did about it: expected in a group whose members
   * can die, so one line at INFO, never a stack.
   */
  private static final org.slf4j.Logger MEMBERS =
      org.slf4j.LoggerFactory.getLogger("dev.moonwire.dalua.Members");

  /**
   * What the algorithms see of this DALua — one for the mutexes and the multicasts, so a
   * member's loss is told, and an error reported, in one place: {@link #memberGone}.
   */
  private final class Host implements Mutexes.Host {
    @Override
    public void memberGone(ProcessId member, String algorithm, String done) {
      Dalua.this.memberGone(member, algorithm, done);
    }

    @Override
    public void report(RuntimeException e) {
      reportLater(e);
    }

    @Override
    public boolean directoryHolds(ProcessId p) {
      return session.holds(p);
    }

    @Override
    public long directoryEpoch(ProcessId p) {
      return session.epochOf(p);
    }
  }

  /** Logs that {@code member} is gone and what {@code algorithm} did: {@code done}. */
  void memberGone(ProcessId member, String algorithm, String done) {
    MEMBERS.info("{}: {} is gone ({}): {}", process.id(), member, algorithm, done);
  }

  /**
   * A protocol message to each of {@code to} but those the detector holds gone: a send to a
   * dead member would only fail and be reported as an error, and no algorithm waits for one.
   */
  void sendToLive(Collection<ProcessId> to, String function, Object... args) {
    List<ProcessId> live = to.stream().filter(p -> !liveness.isGone(p)).toList();
    if (!live.isEmpty()) {
      process.send(live, function, args);
    }
  }

  /** Reports {@code e} to the process's uncaught-error handler, as a failed event. */
  void reportLater(RuntimeException e) {
    try {
      process.execute(() -> {
        throw e;
      });
    } catch (dev.moonwire.rpc.ProcessClosedException closed) {
      // nobody to tell
    }
  }

  /** What the replicated tuple spaces see of their DALua: its process, total order and directory. */
  private static final class SpaceHosting implements SpaceHost {
    private final Dalua dalua;

    SpaceHosting(Dalua dalua) {
      this.dalua = dalua;
    }

    @Override
    public RpcProcess process() {
      return dalua.process();
    }

    @Override
    public void multicast(String group, SpaceOp op) {
      dalua.multicasts.total(group).send(SpacePeer.functionOf(op), op);
    }

    @Override
    public List<ProcessId> members(String group) {
      return dalua.apps().processes(group);
    }

    @Override
    public Scheduler scheduler() {
      return Scheduler.SYSTEM;
    }

    @Override
    public void report(RuntimeException e) {
      dalua.reportLater(e);
    }
  }

  /** What a {@link Dalua} gives its topics: its groups, multicasts, detector and clock. */
  private static final class TopicsHost implements TopicHost {
    private final Dalua dalua;

    TopicsHost(Dalua dalua) {
      this.dalua = dalua;
    }

    @Override
    public RpcProcess process() {
      return dalua.process();
    }

    @Override
    public void ensureGroup(String group) {
      try {
        dalua.apps().create(group);
      } catch (GroupException exists) {
        // declared before: the group is what we wanted
      }
    }

    @Override
    public void join(String group) {
      dalua.apps().join(group);
    }

    @Override
    public void leave(String group) {
      dalua.apps().leave(group);
    }

    @Override
    public List<ProcessId> members(String group) {
      return dalua.apps().processes(group);
    }

    @Override
    public Set<String> groups() {
      return dalua.apps().applications();
    }

    @Override
    public Multicast multicast(String group, Ordering ordering) {
      return switch (ordering) {
        case CAUSAL -> dalua.causal(group);
        case TOTAL -> dalua.total(group);
        case FIFO -> throw new IllegalArgumentException("FIFO topics send themselves");
      };
    }

    @Override
    public Liveness liveness() {
      return dalua.liveness;
    }

    @Override
    public Duration publishDeadline() {
      return dalua.publishDeadline;
    }

    @Override
    public void later(Duration delay, Runnable task) {
      Runnable unused = dalua.scheduler.schedule(() -> {
        try {
          dalua.process().execute(task);
        } catch (ProcessClosedException closed) {
          // closed: nothing left to do
        }
      }, delay);
    }

    @Override
    public void memberGone(ProcessId member, String done) {
      dalua.memberGone(member, "topic", done);
    }

    @Override
    public void checkNotFenced(String what) {
      dalua.checkNotFenced(what);
    }

    @Override
    public void report(RuntimeException e) {
      dalua.reportLater(e);
    }
  }

  /**
   * Groups of processes: create, join, leave, destroy, list. After this process's directory
   * dropped it (see {@link Directory}), each of them but {@link #join} fails with {@link
   * dev.moonwire.rpc.FencedException} until it joins again.
   */
  public static final class Apps {
    private final Dalua dalua;
    private final Directory.Session session;

    Apps(Dalua dalua, Directory.Session session) {
      this.dalua = dalua;
      this.session = session;
    }

    /**
     * Creates the group {@code app}, empty.
     *
     * @throws dev.moonwire.rpc.GroupException if it exists
     */
    public void create(String app) {
      session.create(Objects.requireNonNull(app, "app"));
    }

    /**
     * Destroys the group; its members are not told.
     *
     * @throws dev.moonwire.rpc.GroupException if it does not exist
     */
    public void destroy(String app) {
      session.destroy(Objects.requireNonNull(app, "app"));
    }

    /**
     * Makes this process a member; {@code dalua_app_join} is raised on every member, this one
     * included. Joining twice is harmless. A process its directory dropped (fenced) takes part
     * again from here, in a new membership epoch: it makes its mutexes again.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    public void join(String app) {
      session.join(Objects.requireNonNull(app, "app"));
      dalua.onEvent(() -> {
        dalua.rejoined();
        return null;
      });
    }

    /**
     * Ends this process's membership; {@code dalua_app_leave} is raised on every member, this
     * one included. Leaving a group one is not in is harmless.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    public void leave(String app) {
      session.leave(Objects.requireNonNull(app, "app"));
      dalua.onEvent(() -> { // its space ends here at once, whenever its own leave event comes
        dalua.spaces.left(app, dalua.self());
        return null;
      });
    }

    /**
     * The group's current members, in join order.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    public List<ProcessId> processes(String app) {
      return session.processes(Objects.requireNonNull(app, "app"));
    }

    /** The groups that exist. */
    public Set<String> applications() {
      return session.applications();
    }
  }

  /** Events: handlers by name, raised on processes near or far. */
  public static final class Events {
    private final Dalua dalua;
    private final ConcurrentHashMap<String, List<EventHandler>> handlers =
        new ConcurrentHashMap<>();

    Events(Dalua dalua) {
      this.dalua = dalua;
    }

    /** Runs {@code handler} whenever {@code event} is raised on this process. */
    public void monitor(String event, EventHandler handler) {
      Objects.requireNonNull(handler, "handler");
      handlers.computeIfAbsent(Objects.requireNonNull(event, "event"),
          e -> new CopyOnWriteArrayList<>()).add(handler);
    }

    /** Stops running {@code handler} for {@code event}; harmless if it was not monitoring. */
    public void ignore(String event, EventHandler handler) {
      List<EventHandler> list = handlers.get(event);
      if (list != null) {
        list.remove(handler);
      }
    }

    /**
     * Raises {@code event} with {@code args} on each of {@code processes} (this one may be
     * among them), as a one-way send to each: a process that cannot be reached is reported to
     * this process's uncaught-error handler. Returns at once.
     */
    public void raise(String event, Collection<ProcessId> processes, Object... args) {
      Objects.requireNonNull(event, "event");
      dalua.process.send(processes, EVENT_FUNCTION, event, args == null ? new Object[0] : args);
    }

    private void executeUnlessClosed(Runnable task) {
      try {
        dalua.process.execute(task);
      } catch (dev.moonwire.rpc.ProcessClosedException closed) {
        // closed meanwhile: its handlers run no more
      }
    }

    /** On this process: each handler of {@code event} runs as an event of its own. */
    void deliver(String event, Object[] args) {
      List<EventHandler> list = handlers.get(event);
      if (list == null || dalua.process.isClosed()) {
        return;
      }
      Args a = Args.of(event, args);
      for (EventHandler h : list) {
        executeUnlessClosed(() -> {
          try {
            h.handle(event, a);
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException("handler of '" + event + "' threw", e);
          }
        });
      }
    }
  }
}
