package dev.moonwire.csp;

import dev.moonwire.csp.internal.LocalSemaphore;

/**
 * Csp.lua's {@code Semaphore(init)}: a protected counter. {@link #down} waits (a suspension
 * point) while it is 0; waiting {@code down}s are served first come, first served. Callable from
 * any thread.
 */
public interface Semaphore {

  /**
   * A semaphore whose counter starts at {@code init}.
   *
   * @throws IllegalArgumentException if {@code init} is negative
   */
  static Semaphore create(int init) {
    return new LocalSemaphore(init);
  }

  /**
   * Decrements the counter, waiting while it is 0. Inside an event it suspends; elsewhere it
   * blocks.
   *
   * @throws dev.moonwire.rpc.CancelledException if the wait is cancelled; the counter is
   *     unchanged (if a permit was granted at that very moment, {@code down} returns normally and
   *     the thread's interrupt status is set instead)
   */
  void down();

  /**
   * Increments the counter, or lets the oldest waiting {@code down} go. Never waits.
   *
   * @throws IllegalStateException if the counter is at {@link Integer#MAX_VALUE}
   */
  void up();

  /** The counter now (a diagnostic). */
  int available();
}
