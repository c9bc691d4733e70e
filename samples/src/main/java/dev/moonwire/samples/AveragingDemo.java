package dev.moonwire.samples;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The averaging example of seeds 000 and 001, over real processes: spawns server programs in
 * their own JVMs (ALua's {@code spawn}), then asks them all for their value and prints the average three ways —
 * callbacks with a closure (LuaRPC's {@code rpc.async}), synchronous calls in a loop
 * ({@code rpc.sync}) and futures.
 */
public final class AveragingDemo {
  private AveragingDemo() {}

  /** Seed 000's getavrg with asynchronous calls: the closure keeps acc and count. */
  static CompletableFuture<Double> getavrgAsync(List<ProcessId> servers) {
    CompletableFuture<Double> average = new CompletableFuture<>();
    int expected = servers.size();
    int[] acc = {0};
    int[] count = {0};
    Rpc.async(servers, "getValue", (Integer val) -> {
      acc[0] += val;
      count[0]++;
      if (count[0] == expected) {
        average.complete((double) acc[0] / count[0]);
      }
    }, average::completeExceptionally).call();
    return average;
  }

  /** Seed 000's getavrg with synchronous calls in a loop. */
  static double getavrgSync(List<ProcessId> servers) {
    int acc = 0;
    for (ProcessId s : servers) {
      int value = Rpc.sync(s, "getValue").call();
      acc += value;
    }
    return (double) acc / servers.size();
  }

  /** The same with futures: all requests leave at once, then each value is waited for. */
  static double getavrgFutures(List<ProcessId> servers) {
    List<RpcFuture<Integer>> values = new ArrayList<>();
    for (ProcessId s : servers) {
      values.add(Rpc.future(s, "getValue").call());
    }
    int acc = 0;
    for (RpcFuture<Integer> v : values) {
      acc += v.join();
    }
    return (double) acc / servers.size();
  }

  public static void main(String[] args) throws Exception {
    System.exit(Samples.run("averaging"));
  }

  /** {@code ./mw sample averaging}: the same average, three ways, from four spawned servers. */
  static final class Sample implements Samples.Sample {
    @Override
    public String about() {
      return "seeds 000/001: getavrg over 4 spawned servers — callbacks, sync calls, futures";
    }

    @Override
    public String run(Samples.Options options) throws Exception {
      try (RpcProcess me = Rpc.open(RpcConfig.defaults())) {
        // ALua's spawn: four server JVMs; child i serves the i-th value
        List<ProcessId> servers = me.spawn(4, ValueServer.class, "0", "10", "20", "30", "45");
        System.out.println("servers " + servers + " hold values 10, 20, 30, 45");
        System.out.println("client " + me.id());
        double async = getavrgAsync(servers).get(30, TimeUnit.SECONDS);
        System.out.println("average (callbacks): " + async);
        double sync = getavrgSync(servers);
        System.out.println("average (sync):      " + sync);
        double futures = getavrgFutures(servers);
        System.out.println("average (futures):   " + futures);
        // and from inside an event of the client process, where sync calls suspend
        CompletableFuture<Double> inside = new CompletableFuture<>();
        me.execute(() -> inside.complete(getavrgSync(servers)));
        double inEvent = inside.get(30, TimeUnit.SECONDS);
        System.out.println("average (sync, inside the client's event loop): " + inEvent);
        for (double a : new double[] {async, sync, futures, inEvent}) {
          if (a != 26.25) {
            throw new Samples.Failed("an average of " + a + " (expected: 26.25)");
          }
        }
        options.report(me);
        return "the four ways agree on 26.25 over " + servers.size() + " server JVMs";
      } // closing the client stops the servers it spawned
    }
  }
}
