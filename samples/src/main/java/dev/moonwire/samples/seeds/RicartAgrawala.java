package dev.moonwire.samples.seeds;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Mutex;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.Samples;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Seed 001's Ricart &amp; Agrawala: {@code n} processes, each in a JVM of its own, enter a
 * critical section {@code rounds} times with random pauses. Each tells this process when it
 * enters and leaves (synchronously, from inside the section), so this process sees the
 * entries in the order they happened and checks that no two overlapped.
 */
public final class RicartAgrawala implements Samples.Sample {
  @Override
  public String about() {
    return "seed 001: n spawned processes share a critical section   [--n 5 --rounds 20]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int n = options.integer("n", 5);
    int rounds = options.integer("rounds", 20);
    try (RpcProcess hub = Rpc.open(RpcConfig.defaults())) {
      Dalua.attach(hub, Directory.hostedBy(hub.id())).apps().create("myapp");
      int[] inside = {0};
      int[] most = {0};
      int[] entries = {0};
      long[] messages = {0};
      CountDownLatch done = new CountDownLatch(n);
      // handlers run one at a time: plain counters
      hub.export("entered", a -> {
        most[0] = Math.max(most[0], ++inside[0]);
        entries[0]++;
        System.out.println("  " + a.get(0) + " enters the critical section (entry " + entries[0]
            + (inside[0] > 1 ? ", WITH ANOTHER INSIDE)" : ")"));
        return null;
      });
      hub.export("leaving", a -> --inside[0]);
      hub.export("done", a -> {
        System.out.println(a.get(0) + " is done");
        done.countDown();
        return null;
      });
      var members = hub.spawn(n, Member.class, String.valueOf(n), String.valueOf(rounds));
      System.out.println(n + " processes spawned; each enters " + rounds + " times");
      if (!done.await(120, TimeUnit.SECONDS)) {
        throw new Samples.Failed("only " + (n - done.getCount()) + " of " + n + " finished");
      }
      for (ProcessId m : members) { // once all are done: no OK is still to come
        long sent = hub.sync(m, "messages").call();
        messages[0] += sent;
      }
      if (most[0] > 1) {
        throw new Samples.Failed(most[0] + " processes were inside at once");
      }
      if (entries[0] != n * rounds) {
        throw new Samples.Failed(entries[0] + " entries (expected: " + n * rounds + ")");
      }
      double perEntry = (double) messages[0] / entries[0];
      if (perEntry != 2.0 * (n - 1)) {
        throw new Samples.Failed(perEntry + " messages per entry (expected: 2(n-1) = "
            + 2 * (n - 1) + ")");
      }
      options.report(hub);
      return n + " processes, " + entries[0] + " entries, never two inside, every request "
          + "granted, " + perEntry + " messages per entry = 2(n-1)";
    }
  }

  /** One process of the sample, in a JVM of its own. */
  public static final class Member {
    private Member() {}

    public static void main(String[] args) throws Exception {
      int n = Integer.parseInt(args[0]);
      int rounds = Integer.parseInt(args[1]);
      ProcessId parent = Rpc.parent().orElseThrow();
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      Dalua dalua = Dalua.attach(p, Directory.hostedBy(parent));
      dalua.apps().join("myapp");
      while (dalua.apps().processes("myapp").size() < n) {
        p.sleep(Duration.ofMillis(20)); // the others are still starting
      }
      Mutex mutex = dalua.mutex("cs", dalua.apps().processes("myapp"));
      p.export("messages", a -> mutex.messagesSent());
      Random random = new Random(p.id().port());
      for (int i = 0; i < rounds; i++) {
        p.sleep(Duration.ofMillis(random.nextInt(20)));
        mutex.enter();
        p.sync(parent, "entered").call(p.id());
        p.sleep(Duration.ofMillis(random.nextInt(3)));
        p.sync(parent, "leaving").call(p.id());
        mutex.leave();
      }
      p.sync(parent, "done").call(p.id());
      new CountDownLatch(1).await(); // until the parent stops this JVM
    }
  }
}
