package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Tuple;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request of this member in flight in a replicated space. Its answer (applied in the group's
 * order, on an event) and its caller's withdrawal (cancelled or timed out, on any thread) race
 * for one cell: if the answer wins the caller gets it; if the withdrawal wins, a Cancel goes
 * into the order and gives back whatever the request was matched with.
 */
final class Pending {
  static final int WAITING = 0;
  static final int ANSWERED = 1;
  static final int CANCELLED = 2;
  static final int TIMED_OUT = 3;
  static final int FAILED = 4;

  private final AtomicInteger state = new AtomicInteger(WAITING);
  final CompletableFuture<Void> woken = new CompletableFuture<>();
  private Tuple tuple; // written before the CAS that publishes it
  private RuntimeException failure;

  boolean tryAnswer(Tuple t) {
    tuple = t;
    if (state.compareAndSet(WAITING, ANSWERED)) {
      woken.complete(null);
      return true;
    }
    return false;
  }

  boolean tryFail(RuntimeException e) {
    failure = e;
    if (state.compareAndSet(WAITING, FAILED)) {
      woken.complete(null);
      return true;
    }
    return false;
  }

  boolean tryEnd(int outcome) {
    if (state.compareAndSet(WAITING, outcome)) {
      woken.complete(null);
      return true;
    }
    return false;
  }

  int state() {
    return state.get();
  }

  Tuple tuple() {
    return tuple;
  }

  RuntimeException failure() {
    return failure;
  }
}
