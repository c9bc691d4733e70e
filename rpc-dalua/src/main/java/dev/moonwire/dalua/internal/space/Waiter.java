package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One waiting {@code in}, {@code rd} or {@code take} of a local space. Whoever serves it (an
 * {@code out}, under the space's lock) must first win {@link #tryServe}; the waiter withdraws
 * with the same cell ({@link #tryEnd}), so a tuple is handed to a waiter that is still there or
 * to nobody — never taken for a waiter that was cancelled or timed out.
 */
final class Waiter {
  static final int WAITING = 0;
  static final int SERVED = 1;
  static final int CANCELLED = 2;
  static final int TIMED_OUT = 3;

  final Template template;
  /** Takes the tuple ({@code in}, {@code take}) or only reads it ({@code rd}). */
  final boolean takes;
  private final AtomicInteger state = new AtomicInteger(WAITING);
  /** Completed (outside the lock) once the state left WAITING. */
  final CompletableFuture<Void> woken = new CompletableFuture<>();
  /** Written by the server before its CAS publishes it. */
  private Tuple tuple;

  Waiter(Template template, boolean takes) {
    this.template = template;
    this.takes = takes;
  }

  /** Hands {@code t} to this waiter if it still waits; the caller then wakes it. */
  boolean tryServe(Tuple t) {
    tuple = t; // only one server at a time (the space's lock); read after the CAS only
    return state.compareAndSet(WAITING, SERVED);
  }

  /** Ends the wait ({@link #CANCELLED} or {@link #TIMED_OUT}) if nobody served it first. */
  boolean tryEnd(int outcome) {
    if (state.compareAndSet(WAITING, outcome)) {
      woken.complete(null);
      return true;
    }
    return false;
  }

  boolean waiting() {
    return state.get() == WAITING;
  }

  int state() {
    return state.get();
  }

  /** The tuple served; only after {@link #state()} is {@link #SERVED}. */
  Tuple tuple() {
    return tuple;
  }
}
