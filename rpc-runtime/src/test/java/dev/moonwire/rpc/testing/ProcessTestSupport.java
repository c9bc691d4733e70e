package dev.moonwire.rpc.testing;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opens real processes on loopback for a test through the published {@link MoonwireExtension},
 * which after the test checks the invariant every test must keep — no call left pending, no
 * error left uncaught (an assertion that fails inside an event fails the test) — then closes
 * them; then no buffer may have leaked. A test that provokes uncaught errors on purpose takes
 * them with {@link #takeUncaught()}.
 */
@ExtendWith(ProcessTestSupport.NoBufferLeaked.class) // after the extension has closed them
public abstract class ProcessTestSupport {
  @RegisterExtension
  final MoonwireExtension moonwire = new MoonwireExtension()
      .withPendingCallTimeout(Duration.ofSeconds(10));
  /** The uncaught errors of the test's processes not yet taken, as they come. */
  protected final List<Throwable> uncaught = new CopyOnWriteArrayList<>();

  protected RpcProcess open() {
    return open(RpcConfig.defaults());
  }

  protected RpcProcess open(RpcConfig config) {
    java.util.function.Consumer<Throwable> theirs = config.uncaughtErrorHandler();
    return moonwire.open(config.onUncaughtError(t -> {
      uncaught.add(t);
      if (theirs != null) {
        theirs.accept(t);
      }
    }));
  }

  /** The uncaught errors reported so far, which the test thereby expects; clears the list. */
  protected List<Throwable> takeUncaught() {
    List<Throwable> taken = moonwire.uncaughtErrors().take();
    uncaught.removeAll(taken);
    return taken;
  }

  /** Fails a test after which Netty's leak detector reports a buffer never released. */
  static final class NoBufferLeaked implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
      noBufferLeaked();
    }
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
