package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.rpc.RpcProcess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Runs a step on an event of the process — at once if the caller runs one — and waits. */
final class OnEvent {
  private OnEvent() {}

  /** {@code step}'s result; what it throws is thrown here. */
  static <T> T call(RpcProcess process, Supplier<T> step) {
    if (EventConfinement.onEventOf(process)) {
      return step.get();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    process.execute(() -> {
      try {
        result.complete(step.get());
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    });
    return await(process, result);
  }

  /**
   * Waits for {@code f}: a suspension point inside an event of {@code process}, a blocking wait
   * elsewhere. Its failure is thrown as it is.
   */
  static <T> T await(RpcProcess process, CompletableFuture<T> f) {
    try {
      return process.await(f);
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
