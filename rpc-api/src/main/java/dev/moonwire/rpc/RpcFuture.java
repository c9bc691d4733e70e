package dev.moonwire.rpc;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * The future result of a remote call: wait-by-necessity.
 *
 * <p>{@link #get()} returns at once when the reply is there. Otherwise, inside a process's event
 * it suspends the calling virtual thread (the process serves other events meanwhile); on a
 * thread outside any process it blocks. Dependent actions ({@code thenApply},
 * {@code whenComplete}, ...) run on the caller's process, one event at a time with its other
 * events. A failed call completes the future exceptionally with its {@link RpcException}.
 *
 * <p>How each wait reports what went wrong:
 * <ul>
 *   <li>{@link #get()} and {@link #get(long, java.util.concurrent.TimeUnit)} keep
 *       {@link Future}'s contract: the call's failure is the cause of an
 *       {@code ExecutionException}; a cancelled future throws
 *       {@code java.util.concurrent.CancellationException}; a wait on a thread outside any
 *       process that is interrupted throws {@code InterruptedException} with the thread's
 *       interrupt status kept (as {@code CompletableFuture.get()} does). Inside an event, a
 *       wait whose request is cancelled throws {@code InterruptedException} too, having
 *       cancelled this future's call; the interrupt status is then clear, so that the
 *       handler's clean-up can still make calls.
 *   <li>{@link #join()}, like every Moonwire suspension point (sync calls, {@code Rpc.await},
 *       monitors, channels), throws the call's {@link RpcException} as is, and
 *       {@link CancelledException} when the future or the waiting request was cancelled.
 * </ul>
 *
 * <p>{@code cancel(true)} sends a {@code CANCEL} to the callee, whose handler is interrupted at
 * its suspension point; the future then completes with a {@link CancelledException}, and
 * {@link #isCancelled()} is true.
 */
public interface RpcFuture<T> extends CompletionStage<T>, Future<T> {
  /**
   * Waits like {@link #get()} and returns the value, or throws the call's {@link RpcException}
   * unwrapped.
   */
  T join();

  /**
   * A future that completes when all of {@code futures} have: with null, or exceptionally with
   * the failure of one of them (an {@link RpcException} as is). Its dependent actions run on the
   * process of the first future. Cancelling it cancels each of {@code futures}.
   *
   * @throws IllegalArgumentException if there are no futures
   * @throws IllegalStateException if the synchronous layer ({@code rpc-sync}) is not present
   */
  static RpcFuture<Void> allOf(RpcFuture<?>... futures) {
    return Rpc.provider().allOf(futures);
  }

  /**
   * A future that completes as the first of {@code futures} does, with its value or failure.
   * Its dependent actions run on the process of the first future. Cancelling it cancels each of
   * {@code futures}.
   *
   * @throws IllegalArgumentException if there are no futures
   * @throws IllegalStateException if the synchronous layer ({@code rpc-sync}) is not present
   */
  static RpcFuture<Object> anyOf(RpcFuture<?>... futures) {
    return Rpc.provider().anyOf(futures);
  }
}
