package dev.moonwire.samples.seeds;

import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.sync.Synchronizer;
import dev.moonwire.samples.Samples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Seed 004's time server (Andrews, fig. 8.7), served by one process:
 * <pre>
 *   in get_time() returns time -&gt; time = tod;
 *   [] delay(waketime) and waketime &lt;= tod -&gt; skip;
 *   [] tick() -&gt; tod++;
 * </pre>
 * The clock's interrupt is a one-way {@code tick} the server sends itself every millisecond;
 * sleepers, each a process in a JVM of its own, ask for the time and sleep until a later one.
 */
public final class TimeServer implements Samples.Sample {
  @Override
  public String about() {
    return "seed 004: a time server; sleepers are woken at their time, never before   "
        + "[--sleepers 3 --naps 10]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int sleepers = options.integer("sleepers", 3);
    int naps = options.integer("naps", 10);
    try (RpcProcess main = Rpc.open(RpcConfig.defaults())) {
      List<String> early = new ArrayList<>();
      long[] latest = {0};
      CountDownLatch all = new CountDownLatch(sleepers * naps);
      main.export("woken", a -> { // (sleeper, waketime, tod when woken): one at a time
        long late = a.longAt(2) - a.longAt(1);
        System.out.println("  sleeper " + a.intAt(0) + " asked to wake at " + a.longAt(1)
            + " and was woken at " + a.longAt(2));
        if (late < 0) {
          early.add("sleeper " + a.intAt(0) + " at " + a.longAt(2) + " < " + a.longAt(1));
        }
        latest[0] = Math.max(latest[0], late);
        all.countDown();
        return null;
      });
      ProcessId server = main.spawn(1, Server.class).get(0);
      List<ProcessId> ss = main.spawn(sleepers, Sleeper.class);
      System.out.println("a time server and " + sleepers + " sleepers spawned; a tick is 1 ms");
      for (int i = 0; i < sleepers; i++) {
        main.send(ss.get(i), "nap", i, server, naps);
      }
      if (!all.await(60, TimeUnit.SECONDS)) {
        throw new Samples.Failed("only " + ((long) sleepers * naps - all.getCount()) + " of "
            + sleepers * naps + " naps ended: a sleeper never woken");
      }
      if (!early.isEmpty()) {
        throw new Samples.Failed("woken before their time: " + early);
      }
      options.report(main);
      return sleepers * naps + " naps, no one woken before its time (the latest "
          + latest[0] + " ticks after it)";
    }
  }

  /** The time server: the seed's Timer process. */
  public static final class Server {
    private Server() {}

    // the clock ticks until the main process stops this JVM; sending to itself fails only once
    // the process is closed, when no tick matters
    @SuppressWarnings("FutureReturnValueIgnored")
    public static void main(String[] args) throws Exception {
      long[] tod = {0};
      Map<Args, Long> wokenAt = new HashMap<>();
      Synchronizer s = Synchronizer.create()
          .addConstraint("timer", "delay", req -> req.longAt(0) <= tod[0])
          .setTrigger("timer", "delay", req -> wokenAt.put(req, tod[0]))
          .setTrigger("timer", "tick", req -> tod[0]++);
      Handler delay = s.guard("timer", "delay", wokenAt::remove);
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("get_time", a -> tod[0]);
      p.export("delay", delay);
      p.export("tick", s.guard("timer", "tick", req -> null));
      ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
      clock.scheduleAtFixedRate(() -> p.send(p.id(), "tick"), 1, 1, TimeUnit.MILLISECONDS);
      new CountDownLatch(1).await(); // until the main process stops this JVM
    }
  }

  /** A sleeper: naps a random number of ticks, again and again. */
  public static final class Sleeper {
    private Sleeper() {}

    public static void main(String[] args) throws Exception {
      ProcessId main = Rpc.parent().orElseThrow();
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("nap", a -> {
        int me = a.intAt(0);
        ProcessId server = a.get(1, ProcessId.class);
        Random random = new Random(me);
        for (int k = 0; k < a.intAt(2); k++) {
          long now = p.sync(server, "get_time").call();
          long waketime = now + 1 + random.nextInt(50);
          long woken = p.sync(server, "delay").call(waketime);
          p.sync(main, "woken").call(me, waketime, woken);
        }
        return null;
      });
      new CountDownLatch(1).await();
    }
  }
}
