package dev.moonwire.dalua.internal.directory;

import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 *
 * <p>Its state belongs to the hub process's events, as the mutex's and the multicasts' do
 * (DESIGN §8): member calls are handlers, pings and their verdicts are events, and the hub's own
 * session hops onto the process before it reads or changes anything — so it needs no lock, and
 * {@link EventConfinement#check} at every step says so.
 */
final class HubService {
  static final String PREFIX = "dalua.dir.";
  private static final String EVENT = "dalua.event";

  private final RpcProcess process;
  private final Groups groups = new Groups();
  /** Four times the members it holds: each is tracked to its verdict, whatever else fails. */
  private final Liveness liveness;
  private final Set<ProcessId> pinging = new HashSet<>();
  private final Duration interval;
  /** Each member process's current epoch. */
  private final Map<ProcessId, Long> epochs = new HashMap<>();
  /**
   * The epochs that ended when their process was dropped, the latest last. Bounded: an epoch
   * forgotten here is still refused, as one that is not current.
   */
  private final LinkedHashMap<ProcessId, Long> dropped = new LinkedHashMap<>();
  /** The last epoch given: from the hub's start time, so a restarted hub gives larger ones. */
  private long lastEpoch = System.currentTimeMillis() * 1_000;

  private HubService(RpcProcess process, Duration interval) {
    this.process = process;
    this.interval = interval;
    this.liveness = new Liveness(process, 4 * Groups.MAX_MEMBERS);
  }

  /**
   * Makes {@code process} a hub: exports the member calls and starts pinging; {@code ended}
   * runs once the process has closed.
   */
  static HubService start(RpcProcess process, Runnable ended) {
    Duration interval = Duration.ofMillis(Long.getLong("moonwire.dalua.pingMillis", 1000));
    HubService hub = new HubService(process, interval);
    hub.export();
    hub.schedulePing(ended);
    return hub;
  }

  private void export() {
    // Each member call's last argument is the caller's epoch (0: it has none yet).
    process.export(PREFIX + "create", a -> {
      current(Rpc.sender(), a.longAt(1));
      create(a.stringAt(0));
      return null;
    });
    process.export(PREFIX + "destroy", a -> {
      current(Rpc.sender(), a.longAt(1));
      destroy(a.stringAt(0));
      return null;
    });
    process.export(PREFIX + "join", a ->
        join(a.stringAt(0), itself(a.get(1, ProcessId.class), "join"), a.longAt(2)));
    process.export(PREFIX + "leave", a ->
        leave(a.stringAt(0), itself(a.get(1, ProcessId.class), "leave"), a.longAt(2)));
    process.export(PREFIX + "processes", a -> {
      current(Rpc.sender(), a.longAt(1));
      return new ArrayList<>(processes(a.stringAt(0)));
    });
    process.export(PREFIX + "applications", a -> {
      current(Rpc.sender(), a.longAt(0));
      return new ArrayList<>(applications());
    });
    process.export(PREFIX + "holds", a -> {
      current(Rpc.sender(), a.longAt(1));
      return holds(a.get(0, ProcessId.class));
    });
    process.export(PREFIX + "epochOf", a -> {
      current(Rpc.sender(), a.longAt(1));
      return epochOf(a.get(0, ProcessId.class));
    });
    process.export(PREFIX + "confirm", a -> {
      current(Rpc.sender(), a.longAt(0));
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

  private void confined(String what) {
    EventConfinement.check(process, "the hub's groups: " + what);
  }

  /**
   * Throws if {@code caller} names an epoch that is not its current one — it was dropped
   * since (0, no epoch yet, is always current).
   */
  private void current(ProcessId caller, long epoch) {
    confined("epoch check");
    if (epoch != 0 && !Long.valueOf(epoch).equals(epochs.get(caller))) {
      throw new FencedException(caller + " was dropped from its groups at membership epoch "
          + epoch + " (taken for gone; expected: join again, which starts a new epoch)");
    }
  }

  private void create(String app) {
    confined("create");
    groups.create(app);
  }

  private void destroy(String app) {
    confined("destroy");
    groups.destroy(app);
  }

  private List<ProcessId> processes(String app) {
    confined("processes");
    return groups.processes(app);
  }

  private Set<String> applications() {
    confined("applications");
    return groups.applications();
  }

  private long epochOf(ProcessId p) {
    confined("epochOf");
    return epochs.getOrDefault(p, 0L);
  }

  private boolean holds(ProcessId p) {
    confined("holds");
    return groups.memberships(p) > 0;
  }

  /**
   * {@code p}, of epoch {@code epoch}, joins {@code app}; returns its epoch, a new one if it
   * had none current. A process that joins with none while an earlier one at its address
   * is a member is a new process there (restarted): the earlier one is dropped first.
   */
  private long join(String app, ProcessId p, long epoch) {
    confined("join");
    Long live = epochs.get(p);
    long now;
    if (live != null && live == epoch) {
      now = epoch;
    } else {
      if (live != null) {
        drop(p); // the members see the earlier one leave before the new one joins
      }
      now = ++lastEpoch;
    }
    List<ProcessId> tell = groups.join(app, p);
    epochs.put(p, now);
    raise(tell, "dalua_app_join", app, p, now);
    return now;
  }

  /** {@code p} leaves {@code app}; returns its epoch, 0 if it is in no group any more. */
  private long leave(String app, ProcessId p, long epoch) {
    confined("leave");
    current(p, epoch);
    List<ProcessId> tell = groups.leave(app, p);
    long now = epoch;
    if (groups.memberships(p) == 0) {
      epochs.remove(p);
      now = 0;
    }
    raise(tell, "dalua_app_leave", app, p, epoch);
    return now;
  }

  /** {@code p} is gone: it leaves every group, its epoch ends, and the members left are told. */
  private void drop(ProcessId p) {
    confined("drop");
    Long epoch = epochs.remove(p);
    if (epoch != null) {
      dropped.remove(p);
      dropped.put(p, epoch);
      if (dropped.size() > Groups.MAX_MEMBERS) {
        dropped.remove(dropped.keySet().iterator().next());
      }
    }
    long ended = Objects.requireNonNullElse(dropped.get(p), 0L);
    groups.drop(p).forEach((app, left) -> raise(left, "dalua_app_leave", app, p, ended));
  }

  /** Raises {@code event} (app, process, its epoch) on {@code members}. */
  private void raise(List<ProcessId> members, String event, String app, ProcessId p,
      long epoch) {
    if (!members.isEmpty() && !process.isClosed()) {
      process.send(members, EVENT, event, new Object[] {app, p, epoch});
    }
  }

  private void schedulePing(Runnable ended) {
    Scheduler.SYSTEM.schedule(() -> {
      if (process.isClosed()) {
        ended.run();
        return;
      }
      try {
        process.execute(this::pingAll);
      } catch (ProcessClosedException closed) {
        ended.run();
        return;
      }
      schedulePing(ended);
    }, interval);
  }

  /** As an event of the hub: a ping to each member; one that is gone is dropped. */
  private void pingAll() {
    confined("ping");
    for (ProcessId member : groups.everyMember()) {
      if (member.equals(process.id())) {
        continue; // the hub is alive while this runs
      }
      liveness.ping(process, member, pinging, interval.multipliedBy(2), () -> { },
          () -> drop(member));
    }
  }

  /**
   * The hub's own session: the same operations, without a call — each run as an event of the
   * hub (at once from one of its events; elsewhere the caller waits for it).
   */
  Directory.Session session(ProcessId self) {
    return new Directory.Session() {
      @Override
      public void create(String app) {
        EventConfinement.onEvent(process, () -> {
          HubService.this.create(app);
          return null;
        });
      }

      @Override
      public void destroy(String app) {
        EventConfinement.onEvent(process, () -> {
          HubService.this.destroy(app);
          return null;
        });
      }

      @Override
      public void join(String app) {
        EventConfinement.onEvent(process, () ->
            HubService.this.join(app, self, epochs.getOrDefault(self, 0L)));
      }

      @Override
      public void leave(String app) {
        EventConfinement.onEvent(process, () ->
            HubService.this.leave(app, self, epochs.getOrDefault(self, 0L)));
      }

      @Override
      public boolean holds(ProcessId p) {
        return EventConfinement.onEvent(process, () -> HubService.this.holds(p));
      }

      @Override
      public long epochOf(ProcessId p) {
        return EventConfinement.onEvent(process, () -> HubService.this.epochOf(p));
      }

      @Override
      public long epoch() {
        // the hub is never dropped by itself
        return EventConfinement.onEvent(process, () -> {
          confined("epoch");
          return epochs.getOrDefault(self, 0L);
        });
      }

      @Override
      public List<ProcessId> processes(String app) {
        return EventConfinement.onEvent(process, () -> HubService.this.processes(app));
      }

      @Override
      public Set<String> applications() {
        return EventConfinement.onEvent(process, HubService.this::applications);
      }

      @Override
      public void close() {
        try {
          EventConfinement.onEvent(process, () -> {
            drop(self);
            return null;
          });
        } catch (ProcessClosedException closed) {
          // the hub is gone with its groups
        }
      }
    };
  }
}
