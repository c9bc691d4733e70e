package dev.moonwire.rpc.sync;

import dev.moonwire.rpc.Args;

/**
 * A state change that fires atomically with the acceptance of an invocation. Runs on the
 * process, under its baton; must not suspend.
 */
@FunctionalInterface
public interface Trigger {
  /** Updates the synchronizer's state for the accepted invocation. */
  void fire(Args request) throws Exception;
}
