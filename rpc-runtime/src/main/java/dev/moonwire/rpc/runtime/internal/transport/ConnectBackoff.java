package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;

/**
 * Failed connection attempts to one peer: after a failure, calls fail at once, without a new
 * attempt, until a delay has passed — 50 ms, doubling with each failure up to 2 s. The first
 * call after the delay tries again; a success forgets the history.
 */
public final class ConnectBackoff {
  private static final long FIRST_NANOS = 50_000_000L;
  private static final long MAX_NANOS = 2_000_000_000L;

  private final int failures;
  private final long retryAt;

  public ConnectBackoff() {
    this(0, 0);
  }

  private ConnectBackoff(int failures, long retryAt) {
    this.failures = failures;
    this.retryAt = retryAt;
  }

  public ConnectBackoff failed() {
    long delay = Math.min(MAX_NANOS, FIRST_NANOS << Math.min(failures, 10));
    return new ConnectBackoff(failures + 1, System.nanoTime() + delay);
  }

  /** Throws if a new attempt must wait. */
  public void check(ProcessId target) {
    long left = retryAt - System.nanoTime();
    if (left > 0) {
      throw new PeerUnavailableException("cannot connect to " + target + ": " + failures
          + " attempt(s) failed; next attempt in " + (left / 1_000_000 + 1) + " ms");
    }
  }
}
