package dev.moonwire.rpc.runtime.internal.transport;

import java.util.List;

/**
 * How much of the process's inbound budget one connection's requests and one-way sends may
 * hold, so that one peer cannot take the budget from all the others (DESIGN §6). HTTP/2 gets
 * this from a window per stream; here each connection's cap follows how many want the budget.
 *
 * <p>A connection <em>contends</em> while it holds work, or if work of it was admitted or
 * refused since the last {@link #recount}. With one contender (or none), a connection may hold
 * all but a reserve of min(256 KiB, budget / 4): a lone busy client keeps nearly the whole
 * budget, and a newcomer's first calls find room. With n ≥ 2 contenders each may hold
 * max(budget / (n + 1), the reserve): what the contenders may hold together still leaves one
 * share for a newcomer. A connection that holds nothing may take more than its share, if the
 * budget has room, so a share smaller than a peer's largest request never shuts that peer out
 * (DALua's deliveries of a message over half the budget, say). The process's budget stays the
 * bound on all of them together.
 *
 * <p>The count is taken every deadline sweep (50 ms), not per call, so admitting costs one
 * volatile read of the cap and a compare-and-set on the connection's counter beyond the
 * budget's own; until the next count a newcomer lives on the reserve.
 */
public final class InboundShares {
  /** The least a contender may hold, and the reserve a lone one leaves: 256 KiB at most. */
  public static final long FLOOR = 256 * 1024;

  private final Budget budget;
  private final long reserve;
  private volatile long cap;
  private volatile int contenders;

  public InboundShares(Budget budget) {
    this.budget = budget;
    this.reserve = Math.min(FLOOR, budget.limit() / 4);
    this.cap = cap(1);
  }

  /** What each of {@code contenders} connections may hold. */
  long cap(int contenders) {
    long limit = budget.limit();
    return contenders <= 1 ? limit - reserve : Math.max(limit / (contenders + 1), reserve);
  }

  /**
   * Takes {@code bytes} of the budget for work from {@code c} if they fit under both its share
   * and the process's budget; on the connection's reading thread (any thread, for the link to
   * oneself).
   */
  public boolean tryTake(Connection c, long bytes) {
    if (!c.contending) {
      c.contending = true; // written at most once a sweep: reads are cheaper than writes
    }
    long max = cap;
    while (true) {
      long held = c.heldWork.get();
      if (held > 0 && held + bytes > max) {
        return false;
      }
      if (c.heldWork.compareAndSet(held, held + bytes)) {
        break;
      }
    }
    if (!budget.tryTake(bytes)) {
      c.heldWork.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back {@code bytes} that {@link #tryTake} took for {@code c}; on any thread. */
  public void release(Connection c, long bytes) {
    c.heldWork.addAndGet(-bytes);
    budget.release(bytes);
  }

  /**
   * Whether {@code bytes} more from {@code c} would be over its share (rather than over the
   * process's budget); for the message of a refusal.
   */
  public boolean overShare(Connection c, long bytes) {
    long held = c.heldWork.get();
    return held > 0 && held + bytes > cap;
  }

  /** What one connection may hold now. */
  public long cap() {
    return cap;
  }

  /** The connections that contended at the last count. */
  public int contenders() {
    return contenders;
  }

  /**
   * Counts the connections that contended since the last count and sets each one's cap from
   * it; on the sweep's thread, one at a time.
   */
  public void recount(List<? extends Connection> network, Connection local) {
    int n = 0;
    for (Connection c : network) {
      n += contended(c);
    }
    n += contended(local);
    contenders = n;
    cap = cap(n);
  }

  private static int contended(Connection c) {
    boolean contended = c.contending || c.heldWork.get() > 0;
    if (c.contending) {
      c.contending = false;
    }
    return contended ? 1 : 0;
  }
}
