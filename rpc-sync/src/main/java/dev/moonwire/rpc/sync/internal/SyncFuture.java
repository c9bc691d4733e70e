package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.runtime.internal.PendingCall;
import dev.moonwire.rpc.runtime.internal.Reply;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of a remote call. It is completed by an event of the caller's process, so the
 * dependent actions attached without an executor run there, under the baton; the {@code *Async}
 * variants without an executor run as events of the process too. Waiting suspends inside an
 * event and blocks elsewhere.
 */
final class SyncFuture<T> extends CompletableFuture<T> implements RpcFuture<T> {
  private final RuntimeProcess process;
  private volatile PendingCall call;

  SyncFuture(RuntimeProcess process) {
    this.process = process;
  }

  void sent(PendingCall call) {
    this.call = call;
  }

  /** Runs as an event of the process: decodes the reply there and completes. */
  @SuppressWarnings("unchecked")
  void completeFrom(Reply reply) {
    try {
      complete((T) reply.get());
    } catch (RpcException e) {
      completeExceptionally(e);
    }
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
    awaitDone(null);
    return super.get();
  }

  @Override
  public T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!awaitDone(Duration.ofNanos(unit.toNanos(timeout)))) {
      throw new TimeoutException("no reply within " + timeout + " " + unit);
    }
    return super.get();
  }

  @Override
  public T join() {
    awaitDone(null);
    try {
      return super.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RpcException rpc) {
        throw rpc;
      }
      throw e;
    }
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = completeExceptionally(
        new CancelledException("the call was cancelled by its caller"));
    PendingCall c = call;
    if (cancelled && c != null) {
      c.cancel();
    }
    return cancelled;
  }

  @Override
  public boolean isCancelled() {
    return isCompletedExceptionally() && exceptionNow() instanceof CancelledException;
  }

  /**
   * Waits until done, suspending if the calling thread holds its process's baton. Returns false
   * if {@code timeout} passed first.
   */
  private boolean awaitDone(Duration timeout) {
    if (isDone()) {
      return true;
    }
    BatonScheduler baton = Waiter.currentBaton();
    if (baton == null) {
      try {
        if (timeout == null) {
          super.get();
        } else {
          super.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
      } catch (ExecutionException | CompletionException ignored) {
        // the caller reads the outcome itself
      } catch (TimeoutException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException("interrupted while waiting for the reply", e);
      }
      return true;
    }
    Waiter w = Waiter.forCurrentThread();
    whenComplete((v, e) -> w.complete(null));
    Runnable cancelTimer = timeout == null ? () -> { }
        : process.schedule(() -> w.complete(null), timeout);
    w.await(() -> w.complete(null));
    cancelTimer.run();
    return isDone();
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new SyncFuture<>(process);
  }

  @Override
  public Executor defaultExecutor() {
    return process::submitUser;
  }

  /** Fails a future at once, with nothing sent. */
  static <T> SyncFuture<T> failed(RuntimeProcess process, RpcException e) {
    SyncFuture<T> f = new SyncFuture<>(process);
    f.completeExceptionally(e);
    return f;
  }

}
