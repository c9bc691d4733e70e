package dev.moonwire.csp.internal;

import java.util.concurrent.locks.ReentrantLock;

/** What holds waiting {@link Node}s: a channel or a semaphore. */
interface WaitQueue {
  /** Guards the queue; held only for a few field updates, never across a wait. */
  ReentrantLock lock();

  /** Removes {@code node} if it is still queued (its wait ended another way). */
  void withdraw(Node node);
}
