package dev.moonwire.rpc.runtime.internal.transport;

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
  public default void submit(Runnable event) {
    trySubmit(event);
  }

  /**
   * Queues an event, or returns false if the scheduler has stopped; the caller then frees what
   * the event would have freed.
   */
  public boolean trySubmit(Runnable event);

  /** Events waiting for their turn, not counting the one running (for diagnostics). */
  int queued();

  /** Runs what is queued, then stops; later submissions are dropped. */
  public void shutdown();

  /** When the event that holds the process began to, for the blocked-event checker. */
  public EventClock clock();
}
