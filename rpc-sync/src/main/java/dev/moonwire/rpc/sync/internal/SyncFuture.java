package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.call.PendingCall;
import dev.moonwire.rpc.runtime.internal.call.Reply;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The future of a remote call. It is completed by an event of the caller's process, so the
 * dependent actions attached without an executor run there, under the baton; the {@code *Async}
 * variants without an executor run as events of the process too. Waiting suspends inside an
 * event and blocks elsewhere.
 */
final class SyncFuture<T> extends CompletableFuture<T> implements RpcFuture<T> {
  private final RuntimeProcess process;
  /** What cancelling this future cancels: its call, or the futures it combines. */
  private volatile Runnable onCancel = () -> { };
  /** The reply, from its arrival until someone claims it to decode it. */
  private final AtomicReference<Reply> arrived = new AtomicReference<>();
  /** A thread outside any process blocked in get/join, or null. */
  private volatile Thread blocked;

  SyncFuture(RuntimeProcess process) {
    this.process = process;
  }

  void sent(PendingCall call) {
    this.onCancel = call::cancel;
  }

  /** Cancelling this future cancels {@code action}'s targets too (allOf, anyOf). */
  void onCancel(Runnable action) {
    this.onCancel = action;
  }

  RuntimeProcess process() {
    return process;
  }

  /**
   * The call's outcome arrived (on an I/O or timer thread). A thread blocked in get/join decodes
   * it itself — one wake-up — otherwise an event of the process does. Either way the future
   * completes once; dependent actions run as events of the process (see below) whichever thread
   * completes it.
   */
  void arrived(Reply reply) {
    arrived.set(reply);
    Thread t = blocked;
    if (t != null) {
      LockSupport.unpark(t);
    } else if (!process.scheduler().trySubmit(this::completeFromArrived)) {
      // the process has stopped: no event will decode it
      Reply r = arrived.getAndSet(null);
      if (r != null) {
        r.discard();
        completeExceptionally(new ProcessClosedException(
            "process " + process.id() + " closed before the reply was read"));
      }
    }
  }

  private void completeFromArrived() {
    Reply r = arrived.getAndSet(null);
    if (r != null) {
      completeFrom(r);
    }
  }

  /** Decodes the reply (on the claiming thread) and completes. */
  @SuppressWarnings("unchecked")
  void completeFrom(Reply reply) {
    try {
      complete((T) reply.get());
    } catch (RpcException e) {
      completeExceptionally(e);
    }
  }

  /**
   * {@link java.util.concurrent.Future}'s contract: a cancelled future throws
   * {@link CancellationException}, an interrupted wait {@link InterruptedException} with the
   * interrupt status kept (as {@link CompletableFuture#get()} does), the call's failure an
   * {@link ExecutionException} around its {@link RpcException}. Inside an event, the request
   * being cancelled is this thread's interrupt: the call is cancelled and the wait ends the same
   * way.
   */
  @Override
  public T get() throws InterruptedException, ExecutionException {
    awaitForGet(null);
    return reportGet();
  }

  @Override
  public T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!awaitForGet(Duration.ofNanos(unit.toNanos(timeout)))) {
      throw new TimeoutException("no reply within "
          + dev.moonwire.rpc.internal.Text.duration(Duration.ofNanos(unit.toNanos(timeout))));
    }
    return reportGet();
  }

  /**
   * {@link #awaitDone}, with a cancelled wait reported as {@code Future} reports it. Inside an
   * event, the request's cancellation (its thread's interrupt) cancels this future's call, as
   * every suspension point does (DESIGN §2), and the interrupt status is not kept: the
   * process's next event must not see it. Outside, a platform thread keeps its interrupt
   * status, as {@code CompletableFuture.get()} leaves it.
   */
  private boolean awaitForGet(Duration timeout) throws InterruptedException {
    if (isDone()) {
      return true;
    }
    boolean inEvent = Waiter.currentBaton() != null;
    if (Thread.interrupted()) {
      if (inEvent) {
        cancel(true);
      } else {
        Thread.currentThread().interrupt();
      }
      throw new InterruptedException("interrupted before waiting for the reply");
    }
    try {
      return awaitDone(timeout);
    } catch (CancelledException e) {
      if (!inEvent) {
        Thread.currentThread().interrupt();
      }
      InterruptedException ie = new InterruptedException(e.getMessage());
      ie.initCause(e);
      throw ie;
    }
  }

  private T reportGet() throws ExecutionException {
    if (isCancelled()) {
      CancellationException ce = new CancellationException("the call was cancelled");
      ce.initCause(exceptionNow());
      throw ce;
    }
    try {
      return super.get();
    } catch (InterruptedException e) {
      throw new AssertionError("get() of a completed future waited", e);
    }
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
    if (cancelled) {
      onCancel.run();
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
  // the dependent only wakes the waiter and cannot fail: the outcome is read from this future
  @SuppressWarnings("FutureReturnValueIgnored")
  private boolean awaitDone(Duration timeout) {
    if (isDone()) {
      return true;
    }
    BatonScheduler baton = Waiter.currentBaton();
    if (baton == null) {
      return blockUntilDone(timeout);
    }
    Waiter w = Waiter.forCurrentThread();
    super.whenComplete((v, e) -> w.complete(null)); // resumes from the completing thread
    Runnable cancelTimer = timeout == null ? () -> { }
        : process.schedule(() -> w.complete(null), timeout);
    w.await(() -> w.complete(null));
    cancelTimer.run();
    if (w.interrupted()) {
      // The request waiting here was cancelled. Never fall back to a blocking wait while
      // holding the baton: give up the call, and leave.
      cancel(true);
      throw new CancelledException("the request was cancelled while waiting for a future");
    }
    return isDone();
  }

  /** A thread outside any process: park until done, decoding the reply here if it comes first. */
  // the dependent only unparks this thread and cannot fail: the outcome is read from this future
  @SuppressWarnings("FutureReturnValueIgnored")
  private boolean blockUntilDone(Duration timeout) {
    long end = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
    Thread me = Thread.currentThread();
    blocked = me;
    // however the future completes (an event of the process, a cancel, another waiter), wake us
    super.whenComplete((v, e) -> LockSupport.unpark(me));
    try {
      while (!isDone()) {
        if (arrived.get() != null) {
          completeFromArrived();
          continue;
        }
        if (timeout == null) {
          LockSupport.park(this);
        } else {
          long left = end - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          LockSupport.parkNanos(this, left);
        }
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw new CancelledException("interrupted while waiting for the reply");
        }
      }
      return true;
    } finally {
      blocked = null;
      // arrived() may have seen us just before we left and counted on us: finish its work
      if (arrived.get() != null) {
        completeFromArrived();
      }
    }
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new SyncFuture<>(process);
  }

  /** Runs dependent actions as events of the process (inline once the process has closed). */
  @Override
  public Executor defaultExecutor() {
    return task -> {
      if (process.isClosed()) {
        task.run();
      } else {
        process.submitUser(task);
      }
    };
  }

  // The non-async dependent actions of CompletableFuture run on whichever thread completes the
  // stage — or on the caller's thread when it is already complete. Each goes through the
  // process's executor instead, so a dependent action always runs as an event of the process.

  @Override
  public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
    return thenApplyAsync(fn);
  }

  @Override
  public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
    return thenAcceptAsync(action);
  }

  @Override
  public CompletableFuture<Void> thenRun(Runnable action) {
    return thenRunAsync(action);
  }

  @Override
  public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
      BiFunction<? super T, ? super U, ? extends V> fn) {
    return thenCombineAsync(other, fn);
  }

  @Override
  public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
      BiConsumer<? super T, ? super U> action) {
    return thenAcceptBothAsync(other, action);
  }

  @Override
  public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
    return runAfterBothAsync(other, action);
  }

  @Override
  public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other,
      Function<? super T, U> fn) {
    return applyToEitherAsync(other, fn);
  }

  @Override
  public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other,
      Consumer<? super T> action) {
    return acceptEitherAsync(other, action);
  }

  @Override
  public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
    return runAfterEitherAsync(other, action);
  }

  @Override
  public <U> CompletableFuture<U> thenCompose(
      Function<? super T, ? extends CompletionStage<U>> fn) {
    return thenComposeAsync(fn);
  }

  @Override
  public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
    return handleAsync(fn);
  }

  @Override
  public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
    return whenCompleteAsync(action);
  }

  @Override
  public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
    return exceptionallyAsync(fn);
  }

  /** Fails a future at once, with nothing sent. */
  static <T> SyncFuture<T> failed(RuntimeProcess process, RpcException e) {
    SyncFuture<T> f = new SyncFuture<>(process);
    f.completeExceptionally(e);
    return f;
  }

}
