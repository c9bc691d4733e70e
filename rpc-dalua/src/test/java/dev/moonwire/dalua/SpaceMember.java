package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.concurrent.CountDownLatch;

/**
 * A space member in a JVM of its own (hub in args[0], group in args[1]): "work" writes three
 * whileAlive tuples and takes a job on loan without ever saying done.
 */
public final class SpaceMember {
  private SpaceMember() {}

  public static void main(String[] args) throws Exception {
    RpcProcess p = Rpc.open(RpcConfig.defaults());
    p.export("pid", a -> ProcessHandle.current().pid());
    Dalua d = Dalua.attach(p, Directory.hostedBy(ProcessId.parse(args[0])));
    d.apps().join(args[1]);
    TupleSpace ts = d.space(args[1]);
    p.export("work", a -> {
      for (int i = 0; i < 3; i++) {
        ts.out(Tuple.of("alive", p.id().toString(), i), Lease.whileAlive());
      }
      Taken job = ts.take(Template.of("job", Integer.class));
      return "holding " + job.tuple();
    });
    new CountDownLatch(1).await(); // until killed, or its parent is gone
  }
}
