package dev.moonwire.dalua.internal;

import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.List;
import java.util.Set;

/**
 * {@code Directory.hostedBy(hub)}: the process {@code hub} holds the groups ({@link HubService});
 * every other process calls it.
 */
public final class HubDirectory implements Directory {
  private final ProcessId hub;

  public HubDirectory(ProcessId hub) {
    this.hub = java.util.Objects.requireNonNull(hub, "hub");
  }

  @Override
  public Session connect(RpcProcess process, Listener listener) {
    if (process.id().equals(hub)) {
      return HubService.host(process).session(process.id());
    }
    return new RemoteSession(process);
  }

  /** A member's session: each operation is a call to the hub. */
  private final class RemoteSession implements Session {
    private final RpcProcess process;

    RemoteSession(RpcProcess process) {
      this.process = process;
    }

    private <T> T call(String function, Object... args) {
      return process.sync(hub, HubService.PREFIX + function).call(args);
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
      call("join", app, process.id());
    }

    @Override
    public void leave(String app) {
      call("leave", app, process.id());
    }

    @Override
    public List<ProcessId> processes(String app) {
      return call("processes", app);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Set<String> applications() {
      return Set.copyOf((java.util.Collection<String>) call("applications"));
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
