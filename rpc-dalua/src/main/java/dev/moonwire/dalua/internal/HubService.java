package dev.moonwire.dalua.internal;

import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The hub of {@code Directory.hostedBy}: holds the groups for processes anywhere, raises
 * {@code dalua_app_join}/{@code dalua_app_leave} on the members with one-way sends, and pings
 * every member each interval (1 s). A member that cannot be reached for {@link
 * Liveness#GONE_AFTER} — its process closed, its JVM gone, its host unreachable — or that answers
 * without DALua, is dropped from its groups. A member that is only slow to answer (a long event,
 * a GC pause) is not: dropping a live member would let the mutex and total order go on without
 * it.
 */
final class HubService {
  static final String PREFIX = "dalua.dir.";
  private static final String EVENT = "dalua.event";
  private static final Map<RpcProcess, HubService> HOSTS = new ConcurrentHashMap<>();
  private static final ScheduledExecutorService PINGS =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-hub-pings").unstarted(r));

  private final RpcProcess process;
  private final Groups groups = new Groups(); // guarded by this
  private final Liveness liveness = new Liveness();
  private final Set<ProcessId> pinging = ConcurrentHashMap.newKeySet();
  private final Duration interval;

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
    process.export(PREFIX + "create", a -> {
      synchronized (this) {
        groups.create(a.stringAt(0));
      }
      return null;
    });
    process.export(PREFIX + "destroy", a -> {
      synchronized (this) {
        groups.destroy(a.stringAt(0));
      }
      return null;
    });
    process.export(PREFIX + "join", a -> {
      join(a.stringAt(0), itself(a.get(1, ProcessId.class), "join"));
      return null;
    });
    process.export(PREFIX + "leave", a -> {
      leave(a.stringAt(0), itself(a.get(1, ProcessId.class), "leave"));
      return null;
    });
    process.export(PREFIX + "processes", a -> {
      synchronized (this) {
        return new ArrayList<>(groups.processes(a.stringAt(0)));
      }
    });
    process.export(PREFIX + "applications", a -> {
      synchronized (this) {
        return new ArrayList<>(groups.applications());
      }
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

  void join(String app, ProcessId p) {
    List<ProcessId> tell;
    synchronized (this) {
      tell = groups.join(app, p);
    }
    raise(tell, "dalua_app_join", app, p);
  }

  void leave(String app, ProcessId p) {
    List<ProcessId> tell;
    synchronized (this) {
      tell = groups.leave(app, p);
    }
    raise(tell, "dalua_app_leave", app, p);
  }

  /** {@code p} is gone: it leaves every group, and the members left are told. */
  void drop(ProcessId p) {
    Map<String, List<ProcessId>> told;
    synchronized (this) {
      told = groups.drop(p);
    }
    told.forEach((app, left) -> raise(left, "dalua_app_leave", app, p));
  }

  private void raise(List<ProcessId> members, String event, String app, ProcessId p) {
    if (!members.isEmpty() && !process.isClosed()) {
      process.send(members, EVENT, event, new Object[] {app, p});
    }
  }

  private void schedulePing() {
    PINGS.schedule(() -> {
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
    }, interval.toMillis(), TimeUnit.MILLISECONDS);
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
        HubService.this.join(app, self);
      }

      @Override
      public void leave(String app) {
        HubService.this.leave(app, self);
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
