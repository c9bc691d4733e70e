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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;

/**
 * Opens real processes on loopback for a test and, after it, checks the invariant every test
 * must keep — no call left pending, no error left uncaught (an assertion that fails inside an
 * event fails the test), no buffer leaked — then closes them. A test that provokes uncaught
 * errors on purpose takes them with {@link #takeUncaught()}.
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

  /** The uncaught errors reported so far, which the test thereby expects; clears the list. */
  protected List<Throwable> takeUncaught() {
    List<Throwable> taken = List.copyOf(uncaught);
    uncaught.removeAll(taken);
    return taken;
  }

  @AfterEach
  public void noCallLeftPendingThenClose() {
    try {
      for (RpcProcess p : processes) {
        await("calls pending in " + p).atMost(Duration.ofSeconds(10))
            .until(() -> p.pendingCalls() == 0);
      }
      if (!uncaught.isEmpty()) {
        AssertionError e = new AssertionError(uncaught.size()
            + " uncaught error(s) in the test's processes; the first is the cause");
        e.initCause(uncaught.get(0));
        throw e;
      }
    } finally {
      processes.forEach(RpcProcess::close);
    }
    noBufferLeaked();
  }

  /** Lets the leak detector see what was collected, and fails on what it reports. */
  private static void noBufferLeaked() {
    if (!LeakRecorder.installed()) {
      return;
    }
    for (int i = 0; i < 3; i++) {
      System.gc();
      // each tracked allocation makes the detector look at what was collected
      for (int j = 0; j < 8; j++) {
        ByteBufAllocator.DEFAULT.buffer(1).release();
        Unpooled.buffer(1).release();
      }
    }
    if (!LeakRecorder.LEAKS.isEmpty()) {
      String first = LeakRecorder.LEAKS.get(0);
      int n = LeakRecorder.LEAKS.size();
      LeakRecorder.LEAKS.clear();
      throw new AssertionError(n + " buffer leak(s) reported by Netty (this test or one just "
          + "before it); the first:\n" + first);
    }
  }

  protected static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }
}
