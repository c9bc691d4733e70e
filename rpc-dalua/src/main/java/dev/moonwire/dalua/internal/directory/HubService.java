package dev.moonwire.dalua.internal.directory;

import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub of {@code Directory.hostedBy}: holds the groups for processes anywhere, raises
 * {@code dalua_app_join}/{@code dalua_app_leave} on the members with one-way sends, and pings
 * every member each interval (1 s). A member that cannot be reached for {@link
 * Liveness#GONE_AFTER} — its process closed, its JVM gone, its host unreachable — or that answers
 * without DALua, is dropped from its groups. A member that is only slow to answer (a long event,
 * a GC pause) is not: dropping a live member would let the mutex and total order go on without
 * it.
 *
 * <p>Each member process has a membership epoch while it is in a group: a new one, larger than
 * any given before by this hub, when it joins with none (its first join, a process restarted at
 * the same address, or one that was dropped). Every member call names the caller's epoch; one
 * that names an epoch which ended (the caller was dropped meanwhile) fails with {@link
 * FencedException}, so a member that was frozen or cut off learns it on its next call.
 */
final class HubService {
  static final String PREFIX = "dalua.dir.";
  private static final String EVENT = "dalua.event";
  private static final Map<RpcProcess, HubService> HOSTS = new ConcurrentHashMap<>();

  private final RpcProcess process;
  private final Groups groups = new Groups(); // guarded by this
  /** Four times the members it holds: each is tracked to its verdict, whatever else fails. */
  private final Liveness liveness = new Liveness(System::nanoTime, 4 * Groups.MAX_MEMBERS);
  private final Set<ProcessId> pinging = ConcurrentHashMap.newKeySet();
  private final Duration interval;
  /** Each member process's current epoch; guarded by this. */
  private final Map<ProcessId, Long> epochs = new java.util.HashMap<>();
  /**
   * The epochs that ended when their process was dropped, the latest last; guarded by this.
   * Bounded: an epoch forgotten here is still refused, as one that is not current.
   */
  private final java.util.LinkedHashMap<ProcessId, Long> dropped = new java.util.LinkedHashMap<>();
  /** The last epoch given: from the hub's start time, so a restarted hub gives larger ones. */
  private long lastEpoch = System.currentTimeMillis() * 1_000;

  private HubService(RpcProcess process, Duration interval) {
    this.process = process;
    this.interval = interval;
  }

  /** Makes {@code process} the hub (once). */
  static HubService host(RpcProcess process) {
    return HOSTS.computeIfAbsent(process, p -> {
      Duration interval = Duration.ofMillis(Long.getLong("moonwire.dalua.pingMillis", 1000));
      HubService hub = new HubService(p, interval);
      hub.export();
      hub.schedulePing();
      return hub;
    });
  }

  private void export() {
    // Each member call's last argument is the caller's epoch (0: it has none yet).
    process.export(PREFIX + "create", a -> {
      synchronized (this) {
        current(Rpc.sender(), a.longAt(1));
        groups.create(a.stringAt(0));
      }
      return null;
    });
    process.export(PREFIX + "destroy", a -> {
      synchronized (this) {
        current(Rpc.sender(), a.longAt(1));
        groups.destroy(a.stringAt(0));
      }
      return null;
    });
    process.export(PREFIX + "join", a ->
        join(a.stringAt(0), itself(a.get(1, ProcessId.class), "join"), a.longAt(2)));
    process.export(PREFIX + "leave", a ->
        leave(a.stringAt(0), itself(a.get(1, ProcessId.class), "leave"), a.longAt(2)));
    process.export(PREFIX + "processes", a -> {
      synchronized (this) {
        current(Rpc.sender(), a.longAt(1));
        return new ArrayList<>(groups.processes(a.stringAt(0)));
      }
    });
    process.export(PREFIX + "applications", a -> {
      synchronized (this) {
        current(Rpc.sender(), a.longAt(0));
        return new ArrayList<>(groups.applications());
      }
    });
    process.export(PREFIX + "holds", a -> {
      synchronized (this) {
        current(Rpc.sender(), a.longAt(1));
        return groups.memberships(a.get(0, ProcessId.class)) > 0;
      }
    });
    process.export(PREFIX + "confirm", a -> {
      synchronized (this) {
        current(Rpc.sender(), a.longAt(0));
      }
      liveness.heard(Rpc.sender());
      return true;
    });
    process.export(PREFIX + "drop", a -> {
      drop(itself(a.get(0, ProcessId.class), "drop"));
      return null;
    });
  }

  /**
   * {@code p}, if it is the process that sent this request ({@link Rpc#sender()}): a process
   * joins and leaves only itself, so none can make another leave (and be dropped by the
   * members) or pin made-up members here.
   */
  private static ProcessId itself(ProcessId p, String what) {
    ProcessId sender = Rpc.sender();
    if (!sender.equals(p)) {
      throw new GroupException(sender + " cannot " + what + " for " + p + " (expected: a "
          + "process joins and leaves only itself)");
    }
    return p;
  }

  /**
   * Under the lock: throws if {@code caller} names an epoch that is not its current one —
   * it was dropped since (0, no epoch yet, is always current).
   */
  private void current(ProcessId caller, long epoch) {
    if (epoch != 0 && !Long.valueOf(epoch).equals(epochs.get(caller))) {
      throw new FencedException(caller + " was dropped from its groups at membership epoch "
          + epoch + " (taken for gone; expected: join again, which starts a new epoch)");
    }
  }

  /**
   * {@code p}, of epoch {@code epoch}, joins {@code app}; returns its epoch, a new one if it
   * had none current. A process that joins with none while an earlier one at its address
   * is a member is a new process there (restarted): the earlier one is dropped first.
   */
  long join(String app, ProcessId p, long epoch) {
    List<ProcessId> tell;
    Map<String, List<ProcessId>> earlierLeft = Map.of();
    long now;
    synchronized (this) {
      Long live = epochs.get(p);
      if (live != null && live == epoch) {
        now = epoch;
      } else {
        if (live != null) {
          earlierLeft = dropLocked(p);
        }
        now = ++lastEpoch;
      }
      tell = groups.join(app, p);
      epochs.put(p, now);
    }
    Map<String, List<ProcessId>> left = earlierLeft;
    left.forEach((group, members) -> raise(members, "dalua_app_leave", group, p,
        Objects.requireNonNullElse(droppedEpoch(p), 0L)));
    raise(tell, "dalua_app_join", app, p, now);
    return now;
  }

  /** {@code p} leaves {@code app}; returns its epoch, 0 if it is in no group any more. */
  long leave(String app, ProcessId p, long epoch) {
    List<ProcessId> tell;
    long now;
    synchronized (this) {
      current(p, epoch);
      tell = groups.leave(app, p);
      if (groups.memberships(p) == 0) {
        epochs.remove(p);
        now = 0;
      } else {
        now = epoch;
      }
    }
    raise(tell, "dalua_app_leave", app, p, epoch);
    return now;
  }

  /** {@code p} is gone: it leaves every group, its epoch ends, and the members left are told. */
  void drop(ProcessId p) {
    Map<String, List<ProcessId>> told;
    Long epoch;
    synchronized (this) {
      told = dropLocked(p);
      epoch = droppedEpoch(p);
    }
    long ended = epoch == null ? 0 : epoch;
    told.forEach((app, left) -> raise(left, "dalua_app_leave", app, p, ended));
  }

  /** Under the lock: drops {@code p} from its groups and ends its epoch. */
  private Map<String, List<ProcessId>> dropLocked(ProcessId p) {
    Long epoch = epochs.remove(p);
    if (epoch != null) {
      dropped.remove(p);
      dropped.put(p, epoch);
      if (dropped.size() > Groups.MAX_MEMBERS) {
        dropped.remove(dropped.keySet().iterator().next());
      }
    }
    return groups.drop(p);
  }

  private synchronized Long droppedEpoch(ProcessId p) {
    return dropped.get(p);
  }

  /** Raises {@code event} (app, process, its epoch) on {@code members}. */
  private void raise(List<ProcessId> members, String event, String app, ProcessId p,
      long epoch) {
    if (!members.isEmpty() && !process.isClosed()) {
      process.send(members, EVENT, event, new Object[] {app, p, epoch});
    }
  }

  private void schedulePing() {
    Scheduler.SYSTEM.schedule(() -> {
      if (process.isClosed()) {
        HOSTS.remove(process, this);
        return;
      }
      try {
        process.execute(this::pingAll);
      } catch (RuntimeException closed) {
        HOSTS.remove(process, this);
        return;
      }
      schedulePing();
    }, interval);
  }

  /** As an event of the hub: a ping to each member; one that is gone is dropped. */
  private void pingAll() {
    Set<ProcessId> all;
    synchronized (this) {
      all = groups.everyMember();
    }
    for (ProcessId member : all) {
      if (member.equals(process.id())) {
        continue; // the hub is alive while this runs
      }
      liveness.ping(process, member, pinging, interval.multipliedBy(2), () -> { },
          () -> drop(member));
    }
  }

  /** The hub's own session: the same operations, without a call. */
  Directory.Session session(ProcessId self) {
    return new Directory.Session() {
      @Override
      public void create(String app) {
        synchronized (HubService.this) {
          groups.create(app);
        }
      }

      @Override
      public void destroy(String app) {
        synchronized (HubService.this) {
          groups.destroy(app);
        }
      }

      @Override
      public void join(String app) {
        HubService.this.join(app, self, epoch());
      }

      @Override
      public void leave(String app) {
        HubService.this.leave(app, self, epoch());
      }

      @Override
      public boolean holds(ProcessId p) {
        synchronized (HubService.this) {
          return groups.memberships(p) > 0;
        }
      }

      @Override
      public long epoch() {
        synchronized (HubService.this) {
          return epochs.getOrDefault(self, 0L); // the hub is never dropped by itself
        }
      }

      @Override
      public List<ProcessId> processes(String app) {
        synchronized (HubService.this) {
          return groups.processes(app);
        }
      }

      @Override
      public Set<String> applications() {
        synchronized (HubService.this) {
          return groups.applications();
        }
      }

      @Override
      public void close() {
        drop(self);
      }
    };
  }
}
