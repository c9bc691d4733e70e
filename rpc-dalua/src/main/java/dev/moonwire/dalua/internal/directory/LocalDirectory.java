package dev.moonwire.dalua.internal.directory;

import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code Directory.local()}: the groups of one JVM's processes, held in the JVM. Each session
 * gets a membership epoch at its first join (a process reopened at the same address is a new
 * member); a process here is dropped only when it closes, so none is ever fenced.
 */
public final class LocalDirectory implements Directory {
  public static final LocalDirectory INSTANCE = new LocalDirectory();
  /** How soon a process that closed leaves its groups, at most. */
  public static final long LIVENESS_MILLIS = 200;

  private final Groups groups = new Groups(); // guarded by this
  private final Map<ProcessId, Member> members = new ConcurrentHashMap<>();
  private ScheduledExecutorService watcher; // guarded by this
  private long lastEpoch; // guarded by this
  /** Each member process's epoch while it is in a group; guarded by this. */
  private final Map<ProcessId, Long> epochs = new java.util.HashMap<>();
  /** The watcher's task, for as long as the JVM runs. */
  @SuppressWarnings("unused")
  private java.util.concurrent.ScheduledFuture<?> dropping; // guarded by this

  private record Member(RpcProcess process, Listener listener) {}

  private LocalDirectory() {}

  @Override
  public Session connect(RpcProcess process, Listener listener) {
    members.put(process.id(), new Member(process, listener));
    synchronized (this) {
      if (watcher == null) {
        watcher = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("dalua-local-directory").unstarted(r));
        dropping = watcher.scheduleWithFixedDelay(this::dropClosed, LIVENESS_MILLIS / 2,
            LIVENESS_MILLIS / 2, TimeUnit.MILLISECONDS);
      }
    }
    return new LocalSession(process.id());
  }

  /** Processes that closed leave their groups, and the members left are told. */
  private void dropClosed() {
    for (var it = members.values().iterator(); it.hasNext(); ) {
      Member m = it.next();
      if (m.process.isClosed()) {
        it.remove();
        drop(m.process.id());
      }
    }
  }

  private void drop(ProcessId p) {
    Map<String, List<ProcessId>> told;
    synchronized (this) {
      told = groups.drop(p);
      epochs.remove(p);
    }
    told.forEach((app, left) -> tellLeft(app, p, left));
  }

  private void tellJoined(String app, ProcessId p, List<ProcessId> tell) {
    for (ProcessId member : tell) {
      Member m = members.get(member);
      if (m != null) {
        m.listener.joined(app, p);
      }
    }
  }

  private void tellLeft(String app, ProcessId p, List<ProcessId> tell) {
    for (ProcessId member : tell) {
      Member m = members.get(member);
      if (m != null) {
        m.listener.left(app, p);
      }
    }
  }

  private final class LocalSession implements Session {
    private final ProcessId self;
    private long epoch; // guarded by LocalDirectory.this

    LocalSession(ProcessId self) {
      this.self = self;
    }

    @Override
    public void create(String app) {
      synchronized (LocalDirectory.this) {
        groups.create(app);
      }
    }

    @Override
    public void destroy(String app) {
      synchronized (LocalDirectory.this) {
        groups.destroy(app);
      }
    }

    @Override
    public void join(String app) {
      List<ProcessId> tell;
      synchronized (LocalDirectory.this) {
        tell = groups.join(app, self);
        if (epoch == 0) {
          epoch = ++lastEpoch;
          epochs.put(self, epoch);
        }
      }
      tellJoined(app, self, tell);
    }

    @Override
    public void leave(String app) {
      List<ProcessId> tell;
      synchronized (LocalDirectory.this) {
        tell = groups.leave(app, self);
        if (groups.memberships(self) == 0) {
          epoch = 0;
          epochs.remove(self);
        }
      }
      tellLeft(app, self, tell);
    }

    @Override
    public long epoch() {
      synchronized (LocalDirectory.this) {
        return epoch;
      }
    }

    @Override
    public long epochOf(ProcessId p) {
      synchronized (LocalDirectory.this) {
        return epochs.getOrDefault(p, 0L);
      }
    }

    @Override
    public boolean holds(ProcessId p) {
      synchronized (LocalDirectory.this) {
        return groups.memberships(p) > 0;
      }
    }

    @Override
    public List<ProcessId> processes(String app) {
      synchronized (LocalDirectory.this) {
        return groups.processes(app);
      }
    }

    @Override
    public Set<String> applications() {
      synchronized (LocalDirectory.this) {
        return groups.applications();
      }
    }

    @Override
    public void close() {
      members.remove(self);
      drop(self);
    }
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    members.keySet().forEach(p -> names.add(p.toString()));
    return "Directory.local()" + names;
  }
}
