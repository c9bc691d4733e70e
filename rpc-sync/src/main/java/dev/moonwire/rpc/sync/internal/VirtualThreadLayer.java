package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SyncFunction;
import dev.moonwire.rpc.runtime.internal.EventScheduler;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.runtime.internal.SyncLayer;
import java.time.Duration;

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
  public void sleep(RuntimeProcess process, Duration duration) {
    Waiter w = Waiter.forCurrentThread();
    Runnable cancel = process.schedule(() -> w.complete(null), duration);
    boolean[] interrupted = {false};
    w.await(() -> {
      interrupted[0] = true;
      cancel.run();
      w.complete(null);
    });
    if (interrupted[0]) {
      throw new CancelledException("sleep interrupted: the request was cancelled");
    }
  }
}
