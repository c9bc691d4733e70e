package dev.moonwire.rpc.testing;

import static org.awaitility.Awaitility.await;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * Opens real processes on loopback for a test and, after it, checks the invariant every test
 * must keep — no call left pending — then closes them.
 */
public abstract class ProcessTestSupport {
  protected final List<RpcProcess> processes = new ArrayList<>();
  protected final List<Throwable> uncaught = new CopyOnWriteArrayList<>();

  protected RpcProcess open() {
    return open(RpcConfig.defaults());
  }

  protected RpcProcess open(RpcConfig config) {
    RpcProcess p = Rpc.open(config.onUncaughtError(uncaught::add));
    processes.add(p);
    return p;
  }

  @AfterEach
  public void noCallLeftPendingThenClose() {
    try {
      for (RpcProcess p : processes) {
        await("calls pending in " + p).atMost(Duration.ofSeconds(10))
            .until(() -> p.pendingCalls() == 0);
      }
    } finally {
      processes.forEach(RpcProcess::close);
    }
  }

  protected static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }
}
