package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SyncFunction;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** The bare runtime: one platform thread per process, asynchronous calls only. */
final class BareLayer implements SyncLayer {
  static final BareLayer INSTANCE = new BareLayer();

  @Override
  public EventScheduler newScheduler(RuntimeProcess process) {
    return new SerialScheduler(process);
  }

  @Override
  public boolean threadPerEvent() {
    return false;
  }

  @Override
  public SyncFunction sync(RuntimeProcess process, ProcessId target, String function,
      Duration deadline) {
    throw missing("Rpc.sync");
  }

  @Override
  public <T> T proxy(RuntimeProcess process, ProcessId target, Class<T> type,
      Duration deadline) {
    throw missing("Rpc.sync(process, interface)");
  }

  @Override
  public FutureFunction future(RuntimeProcess process, ProcessId target, String function,
      Duration deadline) {
    throw missing("Rpc.future");
  }

  @Override
  public void sleep(RuntimeProcess process, Duration duration) {
    if (Processes.current() == process) {
      throw missing("sleeping inside an event");
    }
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("sleep interrupted", e);
    }
  }

  @Override
  public <T> T await(RuntimeProcess process, CompletionStage<T> stage) {
    if (Processes.current() == process) {
      throw missing("Rpc.await inside an event");
    }
    return Stages.join(stage);
  }

  @Override
  public <T> dev.moonwire.rpc.RpcFuture<T> submit(RuntimeProcess process,
      java.util.concurrent.Callable<T> task) {
    throw missing("RpcProcess.submit");
  }

  private static IllegalStateException missing(String what) {
    return new IllegalStateException(
        what + " needs the synchronous layer: put dev.moonwire:rpc-sync on the class path");
  }
}
