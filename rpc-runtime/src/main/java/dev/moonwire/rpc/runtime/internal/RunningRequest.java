package dev.moonwire.rpc.runtime.internal;

/**
 * A request this process is running for a peer. A CANCEL marks it cancelled and, when the
 * handler runs on a thread of its own, interrupts that thread at its suspension point; the
 * handler's late result is then dropped.
 */
final class RunningRequest {
  private volatile Thread thread;
  private volatile boolean cancelled;

  void started(Thread t) {
    thread = t;
    if (cancelled) {
      t.interrupt();
    }
  }

  void finished() {
    thread = null;
  }

  void cancel() {
    cancelled = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  boolean cancelled() {
    return cancelled;
  }
}
