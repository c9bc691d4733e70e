package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProvider;
import dev.moonwire.rpc.spi.RpcProvider;
import dev.moonwire.rpc.RpcFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The provider of the synchronous layer: outranks the bare runtime when both are present, and
 * differs from it only in the layer its processes get.
 */
public final class SyncProvider implements RpcProvider {
  private final RuntimeProvider runtime = new RuntimeProvider();

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public RpcProcess open(RpcConfig config) {
    return new RuntimeProcess(config, VirtualThreadLayer.INSTANCE);
  }

  @Override
  public RpcProcess current() {
    return runtime.current();
  }

  @Override
  public List<RpcProcess> openProcesses() {
    return runtime.openProcesses();
  }

  @Override
  public dev.moonwire.rpc.ProcessId sender() {
    return runtime.sender();
  }

  @Override
  public RpcFuture<Void> allOf(RpcFuture<?>[] futures) {
    return combined(futures, CompletableFuture.allOf(stages(futures)));
  }

  @Override
  public RpcFuture<Object> anyOf(RpcFuture<?>[] futures) {
    return combined(futures, CompletableFuture.anyOf(stages(futures)));
  }

  /** {@code stage} as a future of the first future's process; cancelling it cancels them all. */
  // the dependent only completes `combined`, which carries the outcome, failures included
  @SuppressWarnings("FutureReturnValueIgnored")
  private static <T> RpcFuture<T> combined(RpcFuture<?>[] futures, CompletableFuture<T> stage) {
    SyncFuture<T> combined = new SyncFuture<>(processOf(futures));
    stage.whenComplete((v, e) -> {
      if (e == null) {
        combined.complete(v);
      } else {
        combined.completeExceptionally(unwrap(e));
      }
    });
    combined.onCancel(() -> cancelAll(futures));
    return combined;
  }

  private static RuntimeProcess processOf(RpcFuture<?>[] futures) {
    if (futures.length == 0) {
      throw new IllegalArgumentException("no futures (expected: at least one)");
    }
    if (!(futures[0] instanceof SyncFuture<?> f)) {
      throw new IllegalArgumentException("futures[0] : " + futures[0].getClass().getName()
          + " (expected: an RpcFuture made by Moonwire)");
    }
    return f.process();
  }

  private static CompletableFuture<?>[] stages(RpcFuture<?>[] futures) {
    CompletableFuture<?>[] stages = new CompletableFuture<?>[futures.length];
    for (int i = 0; i < futures.length; i++) {
      stages[i] = futures[i].toCompletableFuture();
    }
    return stages;
  }

  private static void cancelAll(RpcFuture<?>[] futures) {
    for (RpcFuture<?> f : futures) {
      f.cancel(true);
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
