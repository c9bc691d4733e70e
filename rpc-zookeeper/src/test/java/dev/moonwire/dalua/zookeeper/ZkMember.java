package dev.moonwire.dalua.zookeeper;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** A member in a JVM of its own: joins group args[1] of the ensemble args[0]. */
public final class ZkMember {
  private ZkMember() {}

  public static void main(String[] args) throws Exception {
    RpcProcess p = Rpc.open(RpcConfig.defaults());
    p.export("pid", a -> ProcessHandle.current().pid());
    Dalua d = Dalua.attach(p, ZooKeeperDirectory.connect(args[0],
        Duration.ofMillis(Long.parseLong(args[2])), Duration.ofSeconds(5)));
    d.apps().join(args[1]);
    new CountDownLatch(1).await(); // until stopped, or its parent is gone
  }
}
