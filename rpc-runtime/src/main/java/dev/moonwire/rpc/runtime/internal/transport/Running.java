package dev.moonwire.rpc.runtime.internal.transport;

/** A request received over a connection whose handler has not ended, as the connection sees it. */
public interface Running {
  /** Cancels it (its handler is interrupted at its suspension point). */
  public void cancel();

  /** Its absolute deadline, in {@code System.nanoTime()}. */
  public long deadlineAt();
}
