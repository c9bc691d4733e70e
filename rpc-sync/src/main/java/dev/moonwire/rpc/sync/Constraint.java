package dev.moonwire.rpc.sync;

import dev.moonwire.rpc.Args;

/**
 * Whether an invocation may be accepted now. Sees the request's arguments and whatever state the
 * synchronizer's triggers keep. Runs on the process, under its baton; must not suspend.
 */
@FunctionalInterface
public interface Constraint {
  /** True if the invocation may start now; false holds it. */
  boolean allows(Args request) throws Exception;
}
