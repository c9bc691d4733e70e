package dev.moonwire.samples;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The averaging example of seeds 000 and 001, over real processes: starts server programs in
 * their own JVMs, then asks them all for their value and prints the average three ways —
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
    int[] values = {10, 20, 30, 45};
    List<Process> children = new ArrayList<>();
    List<ProcessId> servers = new ArrayList<>();
    try {
      for (int v : values) {
        Process child = startServer(v);
        children.add(child);
        servers.add(ProcessId.of("127.0.0.1", awaitReady(child)));
      }
      System.out.println("servers " + servers + " hold values 10, 20, 30, 45");
      try (RpcProcess me = Rpc.open(RpcConfig.defaults())) {
        System.out.println("client " + me.id());
        System.out.println("average (callbacks): " + getavrgAsync(servers).get(30, TimeUnit.SECONDS));
        System.out.println("average (sync):      " + getavrgSync(servers));
        System.out.println("average (futures):   " + getavrgFutures(servers));
        // and from inside an event of the client process, where sync calls suspend
        CompletableFuture<Double> inside = new CompletableFuture<>();
        me.execute(() -> inside.complete(getavrgSync(servers)));
        System.out.println("average (sync, inside the client's event loop): "
            + inside.get(30, TimeUnit.SECONDS));
      }
    } finally {
      for (Process c : children) {
        c.getOutputStream().close();
        if (!c.waitFor(10, TimeUnit.SECONDS)) {
          c.destroyForcibly();
        }
      }
    }
  }

  private static Process startServer(int value) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ValueServer.class.getName(), "0", String.valueOf(value)));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static int awaitReady(Process child) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("READY ")) {
        return Integer.parseInt(line.substring(6).trim());
      }
    }
    throw new IOException("server exited before it was ready: " + child.exitValue());
  }
}
