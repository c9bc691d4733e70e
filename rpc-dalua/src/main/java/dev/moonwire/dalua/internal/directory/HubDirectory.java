package dev.moonwire.dalua.internal.directory;

import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code Directory.hostedBy(hub)}: the process {@code hub} holds the groups ({@link HubService});
 * every other process calls it.
 */
public final class HubDirectory implements Directory {
  /** How often a member confirms its membership epoch with the hub. */
  static final Duration CONFIRM_EVERY = Duration.ofSeconds(1);
  /**
   * How long a confirmation holds: well under the failure detector's bound ({@link
   * Liveness#GONE_AFTER}), since the hub, having heard the member when it confirmed, cannot
   * drop it before that bound has passed again.
   */
  static final Duration LEASE = Duration.ofSeconds(2);

  private final ProcessId hub;

  private final Scheduler scheduler;
  private final java.util.function.LongSupplier nanoTime;

  public HubDirectory(ProcessId hub) {
    this(hub, Scheduler.SYSTEM, System::nanoTime);
  }

  /** For tests: members' confirmations on {@code scheduler}, their lease on {@code nanoTime}. */
  public HubDirectory(ProcessId hub, Scheduler scheduler,
      java.util.function.LongSupplier nanoTime) {
    this.hub = java.util.Objects.requireNonNull(hub, "hub");
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  /**
   * The hub of each process that is one (once, whatever directories it attaches), until it
   * closes. A registry across processes, not a process's state: the only concurrent map here.
   */
  private static final Map<RpcProcess, HubService> HUBS = new ConcurrentHashMap<>();

  @Override
  public Session connect(RpcProcess process, Listener listener) {
    if (process.id().equals(hub)) {
      return HUBS.computeIfAbsent(process, p -> HubService.start(p, () -> HUBS.remove(p)))
          .session(process.id());
    }
    return new RemoteSession(process, listener, scheduler, nanoTime);
  }

  /**
   * A member's session: each operation is a call to the hub naming this member's epoch. While
   * it has one, the session confirms it with the hub every {@link #CONFIRM_EVERY}, so that a
   * member the hub dropped learns it within a second of being able to ask — and one that was
   * frozen or cut off knows, when it comes back, that it must ask before it acts ({@link
   * #confirm()}).
   */
  private final class RemoteSession implements Session {
    private final RpcProcess process;
    private final Listener listener;
    private final Scheduler scheduler;
    private final java.util.function.LongSupplier nanoTime;
    /** The groups this member joined and has not left, for {@link Listener#dropped}. */
    private final Set<String> apps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile long epoch;
    /** When the last call that confirmed {@link #epoch} was sent (nanoTime). */
    private volatile long confirmedAt;
    /** The epoch whose end the listener was told of, or 0. */
    private volatile long toldDropped;

    RemoteSession(RpcProcess process, Listener listener, Scheduler scheduler,
        java.util.function.LongSupplier nanoTime) {
      this.process = process;
      this.listener = listener;
      this.scheduler = scheduler;
      this.nanoTime = nanoTime;
      scheduleConfirm();
    }

    private Object call(String function, Object... args) {
      long e = epoch;
      long sent = nanoTime.getAsLong();
      Object[] withEpoch = java.util.Arrays.copyOf(args, args.length + 1);
      withEpoch[args.length] = e;
      try {
        Object result = process.sync(hub, HubService.PREFIX + function).call(withEpoch);
        confirmed(e, sent);
        return result;
      } catch (FencedException fenced) {
        dropped(e);
        throw fenced;
      }
    }

    private void confirmed(long e, long sent) {
      if (epoch == e && e != 0 && sent - confirmedAt > 0) {
        confirmedAt = sent;
      }
    }

    /** The hub refused epoch {@code e}: it ended; the listener is told once. */
    private void dropped(long e) {
      if (e == 0 || toldDropped == e) {
        return;
      }
      toldDropped = e;
      Set<String> left = Set.copyOf(apps);
      apps.clear();
      listener.dropped(e, left);
    }

    private void scheduleConfirm() {
      scheduler.schedule(() -> {
        if (process.isClosed()) {
          return;
        }
        long e = epoch;
        if (e != 0 && toldDropped != e) {
          long sent = nanoTime.getAsLong();
          process.async(hub, HubService.PREFIX + "confirm", v -> confirmed(e, sent), error -> {
            if (error instanceof FencedException) {
              dropped(e);
            } // otherwise the hub is unreachable now: the lease runs out, confirm() asks
          }).call(e);
        }
        scheduleConfirm();
      }, CONFIRM_EVERY);
    }

    @Override
    public void create(String app) {
      call("create", app);
    }

    @Override
    public void destroy(String app) {
      call("destroy", app);
    }

    @Override
    public void join(String app) {
      long e = (Long) call("join", app, process.id());
      epoch = e;
      confirmedAt = nanoTime.getAsLong();
      apps.add(app);
    }

    @Override
    public void leave(String app) {
      long e = (Long) call("leave", app, process.id());
      apps.remove(app);
      epoch = e;
    }

    @Override
    @SuppressWarnings("unchecked") // the hub answers a list of ProcessIds
    public List<ProcessId> processes(String app) {
      return (List<ProcessId>) call("processes", app);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Set<String> applications() {
      return Set.copyOf((java.util.Collection<String>) call("applications"));
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public boolean holds(ProcessId p) {
      return (Boolean) call("holds", p);
    }

    @Override
    public long epochOf(ProcessId p) {
      return (Long) call("epochOf", p);
    }

    @Override
    public void confirm() {
      long e = epoch;
      if (e == 0) {
        return;
      }
      if (toldDropped == e) {
        throw new FencedException(process.id() + " was dropped from its groups at membership "
            + "epoch " + e + " (expected: join again, which starts a new epoch)");
      }
      if (nanoTime.getAsLong() - confirmedAt < LEASE.toNanos()) {
        return;
      }
      call("confirm");
    }

    @Override
    public void close() {
      if (!process.isClosed()) {
        process.send(hub, HubService.PREFIX + "drop", process.id());
      }
    }
  }

  @Override
  public String toString() {
    return "Directory.hostedBy(" + hub + ")";
  }
}
