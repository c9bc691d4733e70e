package dev.moonwire.rpc.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The errors reported to the uncaught-error handlers of a test's processes (a failed one-way
 * send, a callback that threw). Declare it as a parameter to take the errors a test provokes on
 * purpose; whatever is left in it when the test ends fails the test.
 */
public final class UncaughtErrors {
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();

  UncaughtErrors() {}

  void add(Throwable t) {
    errors.add(t);
  }

  /** The errors reported so far, which the test thereby expects; they are cleared. */
  public List<Throwable> take() {
    List<Throwable> taken = List.copyOf(errors);
    errors.removeAll(taken);
    return taken;
  }

  /** The errors reported and not taken. */
  public List<Throwable> pending() {
    return List.copyOf(errors);
  }
}
