package dev.moonwire.csp;

/**
 * The branches of a {@link Csp#fork} or {@link Csp#forkArray}, running on while the forking code
 * goes on. A branch that fails before anyone has called {@link #join()} reports its failure to
 * the process's uncaught-error handler (for {@link Csp#threads()}: the thread's uncaught-exception
 * handler) as it ends; {@code join()} throws it as well.
 */
public interface Forked {
  /**
   * Waits until every branch has ended — a suspension point inside an event, a blocking wait
   * elsewhere — and throws the first failure, later ones suppressed on it (a checked exception
   * wrapped in {@link java.util.concurrent.CompletionException}).
   *
   * @throws dev.moonwire.rpc.CancelledException if this wait is cancelled: the branches are
   *     cancelled too, and waited for
   */
  void join();

  /** Cancels the branches: running ones at their next suspension point, others before they start. */
  void cancel();

  /** True once every branch has ended. */
  boolean isDone();
}
