package dev.moonwire.rpc.runtime.internal.transport;

/**
 * When the event that holds a process began to hold it, for the blocked-event checker. Written
 * only by the thread that holds the process (one at a time: the baton's hand-over orders the
 * writes), read by the checker on the timer thread.
 */
public final class EventClock {
  private volatile Thread thread;
  private volatile long since;
  /** Changes at every begin and end, so the checker can tell one event from the next. */
  private volatile long turn;

  /** The calling thread starts (or resumes) holding the process. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // only the holder writes; volatile for readers
  public void begin() {
    since = System.nanoTime();
    thread = Thread.currentThread();
    turn++;
  }

  /** The calling thread stops holding the process: its event ended or suspended. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // only the holder writes; volatile for readers
  public void end() {
    thread = null;
    turn++;
  }

  /**
   * The thread that has held the process for at least {@code nanos} in its current turn, with
   * that turn, or null.
   */
  public Held heldLongerThan(long nanos) {
    long t0 = turn;
    Thread t = thread;
    long s = since;
    if (t == null || turn != t0 || System.nanoTime() - s < nanos) {
      return null;
    }
    return new Held(t, t0, System.nanoTime() - s);
  }

  public record Held(Thread thread, long turn, long nanos) {}
}
