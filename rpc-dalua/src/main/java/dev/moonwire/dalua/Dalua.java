package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.Stamps;
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
  /** Raised on every member when a process joins a group: (app, process). */
  public static final String APP_JOIN = "dalua_app_join";
  /** Raised on every member when a process leaves a group, or its process ends. */
  public static final String APP_LEAVE = "dalua_app_leave";
  /** Answered by every DALua process: its liveness, for hubs and mutexes. */
  static final String ALIVE = Liveness.ALIVE;
  /** How long a liveness ping may take before it is asked again (a slow member is not dead). */
  static final Duration PING_DEADLINE = Duration.ofSeconds(30);
  /** Which members are gone, for this process's mutexes and total orders. */
  final Liveness liveness = new Liveness();
  /** Delays for DALua's retries (replaced in tests). */
  final Timers.Scheduler scheduler = Timers.SYSTEM;

  private final RpcProcess process;
  private final Directory.Session session;
  private final Apps apps;
  private final Events events;
  private final Timers timers;
  private final ConcurrentHashMap<String, Mutex> mutexes = new ConcurrentHashMap<>();
  /** Requests for mutexes not made here yet, by name: {ts, from}. Guarded by itself. */
  /** Requests for mutexes not made here yet: the newest timestamp of each member, by name. */
  private final java.util.Map<String, java.util.Map<ProcessId, Long>> early =
      new java.util.HashMap<>();
  private int earlyCount; // members waiting in early, all names; guarded by early
  private static final int MAX_EARLY_REQUESTS = 10_000;
  /** How many groups a peer's messages may make multicast state for, here. */
  static final int MAX_MULTICAST_APPS = 1_024;
  /** Total and causal order: their state, protocols and the Multicasts handed out. */
  final Multicasts multicasts;

  private Dalua(RpcProcess process, Directory directory) {
    this.process = process;
    this.events = new Events(this);
    process.export(EVENT_FUNCTION, a -> {
      events.deliver(a.stringAt(0), a.get(1, Object[].class));
      return null;
    });
    process.export(ALIVE, a -> Boolean.TRUE);
    this.multicasts = new Multicasts(this);
    process.export(Mutex.REQUEST, a -> {
      String name = a.stringAt(0);
      long ts = a.longAt(1);
      ProcessId from = authenticated(a.get(2, ProcessId.class), "mutex '" + name + "': a request");
      Mutex m = mutexes.get(name);
      if (m != null) {
        m.onRequest(ts, from);
        return null;
      }
      Stamps.checked(ts, 0, "mutex '" + name + "': request of " + from); // a new mutex's clock
      synchronized (early) { // not made here yet: answered once it is
        java.util.Map<ProcessId, Long> byMember = early.get(name);
        boolean known = byMember != null && byMember.containsKey(from);
        if (!known && earlyCount >= MAX_EARLY_REQUESTS) {
          // Answering OK unasked would let two in; holding more would grow without bound.
          throw new IllegalStateException("mutex '" + name + "': request of " + from
              + " ignored: " + MAX_EARLY_REQUESTS + " requests already wait for mutexes not "
              + "made here (expected: every member makes the mutex it is asked for)");
        }
        // one request per member at a time: a request sent again, or a newer one, replaces it
        early.computeIfAbsent(name, n -> new java.util.LinkedHashMap<>())
            .merge(from, ts, Math::max);
        if (!known) {
          earlyCount++;
        }
      }
      m = mutexes.get(name);
      if (m != null) {
        replayEarly(m); // made meanwhile
      }
      return null;
    });
    process.export(Mutex.OK, a -> {
      ProcessId from = authenticated(a.get(1, ProcessId.class), "mutex '" + a.stringAt(0)
          + "': an OK");
      Mutex m = mutexes.get(a.stringAt(0));
      // the sender's clock, for the fencing token; an OK without it (an older member) adds none
      long clock = a.size() > 3 ? a.longAt(3) : 0;
      if (clock < 0 || clock > Mutex.MAX_TIMESTAMP) { // a clock past it would wrap
        throw new IllegalArgumentException("mutex '" + a.stringAt(0) + "': OK of " + a.get(1)
            + " with clock " + clock + " ignored (expected 0.." + Mutex.MAX_TIMESTAMP + ")");
      }
      if (m != null) {
        m.onOk(from, a.longAt(2), clock);
      }
      return null;
    });
    this.session = directory.connect(process, new Directory.Listener() {
      @Override
      public void joined(String app, ProcessId p) {
        events.deliver(APP_JOIN, new Object[] {app, p});
      }

      @Override
      public void left(String app, ProcessId p) {
        events.deliver(APP_LEAVE, new Object[] {app, p});
      }
    });
    this.apps = new Apps(session);
    this.timers = new Timers(process, Timers.SYSTEM);
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
   * The mutex {@code name} among {@code members} (this process may be among them; it is a
   * member in any case) — seed 001's Ricart &amp; Agrawala. Every member makes it with the same
   * name and members; making it again here returns the same mutex.
   */
  public Mutex mutex(String name, Collection<ProcessId> members) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(members, "members");
    Mutex m = mutexes.computeIfAbsent(name, n -> new Mutex(this, n, members));
    replayEarly(m);
    return m;
  }

  /** The requests that came for {@code m} before it was made here. */
  private void replayEarly(Mutex m) {
    java.util.Map<ProcessId, Long> waiting;
    synchronized (early) {
      waiting = early.remove(m.name());
      if (waiting != null) {
        earlyCount -= waiting.size();
      }
    }
    if (waiting != null) {
      waiting.forEach((from, ts) -> {
        try {
          m.onRequest(ts, from);
        } catch (IllegalArgumentException refused) { // a stranger's: reported, as it would be
          reportLater(refused);                       // had it come after the mutex was made
        }
      });
    }
  }

  /**
   * In a protocol handler: the process that sent the message — the authenticated peer of its
   * connection ({@link Rpc#sender()}), never a field the sender writes — provided the message
   * names it as its sender too; it is not gone, whatever its last ping said.
   *
   * @throws IllegalArgumentException if the message names another process than its sender
   */
  private ProcessId authenticated(ProcessId claimed, String what) {
    ProcessId sender = Rpc.sender();
    if (!sender.equals(claimed)) {
      throw new IllegalArgumentException(what + " naming " + claimed + " as its sender ignored: "
          + "it came from " + sender + " (expected: each member sends its own)");
    }
    liveness.heard(sender);
    return sender;
  }

  /**
   * Members seen gone, and what each algorithm did about it: expected in a group whose members
   * can die, so one line at INFO, never a stack.
   */
  private static final org.slf4j.Logger MEMBERS =
      org.slf4j.LoggerFactory.getLogger("dev.moonwire.dalua.Members");

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

  /** Groups of processes: create, join, leave, destroy, list. */
  public static final class Apps {
    private final Directory.Session session;

    Apps(Directory.Session session) {
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
     * included. Joining twice is harmless.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    public void join(String app) {
      session.join(Objects.requireNonNull(app, "app"));
    }

    /**
     * Ends this process's membership; {@code dalua_app_leave} is raised on every member, this
     * one included. Leaving a group one is not in is harmless.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    public void leave(String app) {
      session.leave(Objects.requireNonNull(app, "app"));
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
