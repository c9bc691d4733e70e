package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.dalua.internal.space.SpaceHost;
import dev.moonwire.dalua.internal.space.SpaceOp;
import dev.moonwire.dalua.internal.space.SpacePeer;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.List;

/** What the replicated tuple spaces see of their DALua: its process, total order and directory. */
final class SpaceHosting implements SpaceHost {
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
