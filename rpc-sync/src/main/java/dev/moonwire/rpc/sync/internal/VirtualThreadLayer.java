package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SyncFunction;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.runtime.internal.SyncLayer;
import dev.moonwire.rpc.runtime.internal.Stages;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** The synchronous layer: virtual threads, the baton, and the call styles that suspend. */
final class VirtualThreadLayer implements SyncLayer {
  static final VirtualThreadLayer INSTANCE = new VirtualThreadLayer();

  @Override
  public EventScheduler newScheduler(RuntimeProcess process) {
    return new BatonScheduler(process);
  }

  @Override
  public boolean threadPerEvent() {
    return true;
  }

  @Override
  public SyncFunction sync(RuntimeProcess process, ProcessId target, String function,
      Duration deadline) {
    return new SyncCall(process, target, function, deadline);
  }

  @Override
  public <T> T proxy(RuntimeProcess process, ProcessId target, Class<T> type,
      Duration deadline) {
    return RemoteProxy.create(process, target, type, deadline);
  }

  @Override
  public FutureFunction future(RuntimeProcess process, ProcessId target, String function,
      Duration deadline) {
    return new FutureCall(process, target, function, deadline);
  }

  @Override
  public <T> dev.moonwire.rpc.RpcFuture<T> submit(RuntimeProcess process,
      java.util.concurrent.Callable<T> task) {
    SyncFuture<T> f = new SyncFuture<>(process);
    process.scheduler().submit(() -> {
      try {
        f.complete(task.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f;
  }

  @Override
  public <T> T await(RuntimeProcess process, CompletionStage<T> stage) {
    if (stage instanceof SyncFuture<T> f) {
      return f.join(); // suspends or blocks, and cancels its call if the request is cancelled
    }
    if (!Waiter.onBaton()) {
      return Stages.join(stage);
    }
    Waiter w = Waiter.forCurrentThread();
    Object[] outcome = new Object[2];
    stage.whenComplete((v, e) -> {
      outcome[0] = v;
      outcome[1] = e;
      w.complete(null); // publishes the outcome to the waiting thread
    });
    w.await(() -> w.complete(null));
    if (w.interrupted()) {
      throw new CancelledException("the request was cancelled while awaiting a stage");
    }
    @SuppressWarnings("unchecked")
    T value = (T) outcome[0];
    return Stages.outcome(value, (Throwable) outcome[1]);
  }

  @Override
  public void sleep(RuntimeProcess process, Duration duration) {
    Waiter w = Waiter.forCurrentThread();
    Runnable cancel = process.schedule(() -> w.complete(null), duration);
    w.await(() -> {
      cancel.run();
      w.complete(null);
    });
    if (w.interrupted()) {
      cancel.run();
      throw new CancelledException("sleep interrupted: the request was cancelled");
    }
  }
}
