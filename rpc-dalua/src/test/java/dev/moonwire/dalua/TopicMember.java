package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber in a JVM of its own: subscribes to the Integer topic named in args[1] on the
 * hub in args[0], and answers {@code received} (how many messages) and {@code pid}.
 */
public final class TopicMember {
  private TopicMember() {}

  public static void main(String[] args) throws Exception {
    RpcProcess p = Rpc.open(RpcConfig.defaults());
    AtomicInteger received = new AtomicInteger();
    p.export("pid", a -> ProcessHandle.current().pid());
    p.export("received", a -> received.get());
    Dalua d = Dalua.attach(p, Directory.hostedBy(ProcessId.parse(args[0])));
    d.topic(args[1], Integer.class).subscribe(m -> received.incrementAndGet());
    new CountDownLatch(1).await(); // until killed, or its parent is gone
  }
}
