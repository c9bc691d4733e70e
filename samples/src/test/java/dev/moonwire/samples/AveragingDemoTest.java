package dev.moonwire.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AveragingDemoTest {
  private final List<RpcProcess> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(RpcProcess::close);
  }

  @Test
  void getavrg_threeStyles_agreeOnTheAverage() throws Exception {
    List<ProcessId> servers = new ArrayList<>();
    for (int v : new int[] {1, 2, 6}) {
      RpcProcess s = Rpc.open(RpcConfig.defaults());
      s.export("getValue", a -> v);
      open.add(s);
      servers.add(s.id());
    }
    RpcProcess me = Rpc.open(RpcConfig.defaults());
    open.add(me);
    CompletableFuture<double[]> result = new CompletableFuture<>();

    // several processes share this JVM, so the facade is used from inside an event of `me`
    me.execute(() -> {
      double sync = AveragingDemo.getavrgSync(servers);
      double futures = AveragingDemo.getavrgFutures(servers);
      AveragingDemo.getavrgAsync(servers)
          .thenAccept(async -> result.complete(new double[] {async, sync, futures}))
          .exceptionally(e -> { // the test fails with the cause, not a timeout
            result.completeExceptionally(e);
            return null;
          });
    });

    double[] averages = result.get(30, TimeUnit.SECONDS);
    assertEquals(3.0, averages[0]);
    assertEquals(3.0, averages[1]);
    assertEquals(3.0, averages[2]);
  }
}
