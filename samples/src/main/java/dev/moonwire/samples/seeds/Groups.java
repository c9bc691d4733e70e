package dev.moonwire.samples.seeds;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.Samples;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Seed 000's app example: process 1 creates "Grupo", the others join, process 1 greets the
 * members — then one member is killed, and the others see it leave.
 */
public final class Groups implements Samples.Sample {
  @Override
  public String about() {
    return "seed 000: create a group, join, greet the members, kill one   [--n 3]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int n = options.integer("n", 3);
    try (RpcProcess p1 = Rpc.open(RpcConfig.defaults())) {
      Dalua dalua = Dalua.attach(p1, Directory.hostedBy(p1.id())); // process 1 holds the groups
      dalua.apps().create("Grupo");
      System.out.println("process 1 (" + p1.id() + ") created Grupo");
      CountDownLatch greeted = new CountDownLatch(n);
      CountDownLatch sawLeave = new CountDownLatch(n - 1);
      p1.export("greeted", a -> {
        greeted.countDown();
        return null;
      });
      p1.export("sawLeave", a -> {
        System.out.println("  " + a.get(0) + " saw " + a.get(1) + " leave Grupo");
        sawLeave.countDown();
        return null;
      });
      p1.spawn(n, Member.class);
      while (dalua.apps().processes("Grupo").size() < n) {
        p1.sleep(Duration.ofMillis(20));
      }
      List<ProcessId> members = dalua.apps().processes("Grupo");
      System.out.println("members of Grupo, in join order: " + members);
      dalua.events().raise("greet", members, "hello from process 1");
      if (!greeted.await(30, TimeUnit.SECONDS)) {
        throw new Samples.Failed("only " + (n - greeted.getCount()) + " members were greeted");
      }
      ProcessId victim = members.get(0);
      long pid = p1.sync(victim, "pid").call();
      long killedAt = System.nanoTime();
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      System.out.println("killed " + victim + " (pid " + pid + ") with SIGKILL");
      if (!sawLeave.await(30, TimeUnit.SECONDS)) {
        throw new Samples.Failed("the killed member's leave was seen by "
            + (n - 1 - sawLeave.getCount()) + " of " + (n - 1));
      }
      long millis = (System.nanoTime() - killedAt) / 1_000_000;
      options.report(p1);
      return n + " members joined Grupo and were greeted; the " + (n - 1) + " others saw the "
          + "killed one leave within " + millis + " ms";
    }
  }

  /** A member: joins Grupo, prints its greeting, reports the leaves it sees. */
  public static final class Member {
    private Member() {}

    public static void main(String[] args) throws Exception {
      ProcessId p1 = Rpc.parent().orElseThrow();
      RpcProcess me = Rpc.open(RpcConfig.defaults());
      me.export("pid", a -> ProcessHandle.current().pid());
      Dalua dalua = Dalua.attach(me, Directory.hostedBy(p1));
      dalua.events().monitor("greet", (event, a) -> {
        System.out.println("  " + me.id() + " got: " + a.stringAt(0));
        me.send(p1, "greeted", me.id());
      });
      dalua.events().monitor(Dalua.APP_LEAVE, (event, a) ->
          me.send(p1, "sawLeave", me.id(), a.get(1, ProcessId.class)));
      dalua.apps().join("Grupo");
      new CountDownLatch(1).await(); // until the parent stops this JVM
    }
  }
}
