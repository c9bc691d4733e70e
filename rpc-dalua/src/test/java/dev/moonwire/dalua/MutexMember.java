package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A mutex member in a JVM of its own: "hold" enters mutex "m" and never leaves. */
public final class MutexMember {
  private MutexMember() {}

  public static void main(String[] args) throws Exception {
    RpcProcess p = Rpc.open(RpcConfig.defaults());
    Dalua d = Dalua.attach(p, Directory.local());
    p.export("pid", a -> ProcessHandle.current().pid());
    p.export("hold", a -> {
      @SuppressWarnings("unchecked")
      List<ProcessId> members = a.get(0, List.class);
      d.mutex("m", members).enter(); // suspends until granted
      return "holding";
    });
    new CountDownLatch(1).await(); // until killed, or its parent is gone
  }
}
