package dev.moonwire.benchmarks;

import java.util.concurrent.Semaphore;

/** Keeps a fixed number of calls in flight: take a slot to send, give it back on the reply. */
final class Window {
  static final int IN_FLIGHT = 128;
  private final Semaphore slots = new Semaphore(IN_FLIGHT);

  void take() throws InterruptedException {
    slots.acquire();
  }

  void give() {
    slots.release();
  }

  /** Waits until every call in flight has come back (between iterations). */
  void drain() throws InterruptedException {
    slots.acquire(IN_FLIGHT);
    slots.release(IN_FLIGHT);
  }
}
