package dev.moonwire.rpc.runtime.internal.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes a process holds on one side — work peers gave it (inbound), or frames waiting to go out
 * (outbound) — against a limit. Work that may be refused takes bytes only if they fit
 * ({@link #tryTake}); work that may not (a reply to a call already made) takes them anyway
 * ({@link #take}) and the process slows the peer down instead.
 */
public final class Budget {
  private final AtomicLong used = new AtomicLong();
  private final long limit;
  private volatile Runnable onRelief = () -> { };

  public Budget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code bytes} if they fit under the limit. */
  public boolean tryTake(long bytes) {
    while (true) {
      long u = used.get();
      if (u + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        return true;
      }
    }
  }

  /** Takes {@code bytes} whatever the limit; returns true if the budget is now over it. */
  public boolean take(long bytes) {
    return used.addAndGet(bytes) > limit;
  }

  public void release(long bytes) {
    long after = used.addAndGet(-bytes);
    if (after <= limit / 2 && after + bytes > limit / 2) {
      onRelief.run(); // it just fell to half: whoever waits for room may go on
    }
  }

  /** What to run when the bytes held fall to half the limit (on the releasing thread). */
  public void onRelief(Runnable action) {
    this.onRelief = action;
  }

  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }
}
