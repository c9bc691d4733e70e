package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;

import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SyncFunction;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * What the synchronous layer ({@code rpc-sync}) adds to a process: the scheduler that runs its
 * events (virtual threads and a baton), and the call styles that suspend. The bare runtime uses
 * {@link BareLayer}, which has neither.
 */
public interface SyncLayer {
  /** The scheduler of a new process. */
  EventScheduler newScheduler(RuntimeProcess process);

  /** True when each event runs on a thread of its own, which a CANCEL may interrupt. */
  boolean threadPerEvent();

  SyncFunction sync(RuntimeProcess process, ProcessId target, String function, Duration deadline);

  <T> T proxy(RuntimeProcess process, ProcessId target, Class<T> type, Duration deadline);

  FutureFunction future(RuntimeProcess process, ProcessId target, String function,
      Duration deadline);

  void sleep(RuntimeProcess process, Duration duration);

  <T> T await(RuntimeProcess process, CompletionStage<T> stage);

  /** Runs {@code task} as an event of {@code process}; its future completes with its outcome. */
  <T> dev.moonwire.rpc.RpcFuture<T> submit(RuntimeProcess process,
      java.util.concurrent.Callable<T> task);
}
