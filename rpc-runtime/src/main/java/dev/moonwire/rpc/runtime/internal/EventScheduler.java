package dev.moonwire.rpc.runtime.internal;

/**
 * Runs a process's events one at a time, in the order submitted. The bare runtime uses one
 * platform thread ({@link SerialScheduler}); the synchronous layer runs each event on a virtual
 * thread that holds the process's baton.
 */
public interface EventScheduler {
  /**
   * Queues an event. Never blocks; may be called from any thread, I/O threads included. Events
   * must not throw: the process wraps user code before it gets here.
   */
  void submit(Runnable event);

  /** Runs what is queued, then stops; later submissions are dropped. */
  void shutdown();
}
