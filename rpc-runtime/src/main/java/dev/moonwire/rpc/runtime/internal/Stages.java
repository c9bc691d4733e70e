package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.RpcException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** The outcome of a {@link CompletionStage} as {@code Rpc.await} gives it. */
public final class Stages {
  private Stages() {}

  /**
   * Blocks the calling thread until {@code stage} completes; see {@link #outcome}. An interrupt
   * ends the wait with a {@link CancelledException}, the thread's interrupt status kept (the
   * stage itself is left alone).
   */
  public static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get();
    } catch (ExecutionException e) {
      return outcome(null, new CompletionException(e.getCause()));
    } catch (CancellationException e) {
      return outcome(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("interrupted while waiting", e);
    }
  }

  /**
   * The value, or the failure thrown: an {@link RpcException} unwrapped, a cancellation as
   * {@link CancelledException}, anything else wrapped in a {@link CompletionException} as
   * {@code join()} does.
   */
  public static <T> T outcome(T value, Throwable failure) {
    if (failure == null) {
      return value;
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof RpcException rpc) {
      throw rpc;
    }
    if (cause instanceof CancellationException c) {
      throw new CancelledException("the awaited stage was cancelled", c);
    }
    throw failure instanceof CompletionException ce ? ce : new CompletionException(cause);
  }
}
