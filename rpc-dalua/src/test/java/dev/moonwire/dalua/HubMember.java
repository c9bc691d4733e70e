package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.concurrent.CountDownLatch;

/** A member in a JVM of its own: joins the group named in args[1] on the hub in args[0]. */
public final class HubMember {
  private HubMember() {}

  public static void main(String[] args) throws Exception {
    RpcProcess p = Rpc.open(RpcConfig.defaults());
    p.export("pid", a -> ProcessHandle.current().pid());
    Dalua d = Dalua.attach(p, Directory.hostedBy(ProcessId.parse(args[0])));
    d.apps().join(args[1]);
    new CountDownLatch(1).await(); // until stopped, or its parent is gone
  }
}
