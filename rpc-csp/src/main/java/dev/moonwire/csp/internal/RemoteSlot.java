package dev.moonwire.csp.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The place of one remote read guard in a waiting select: the reservation's callback commits
 * the select through it (winning the select's {@link Wait} cell, as a local channel would),
 * and the select withdraws it when another branch won or the wait was cancelled.
 */
public final class RemoteSlot implements WaitQueue {
  private final ReentrantLock lock = new ReentrantLock();
  Node node;
  private Runnable onWithdraw;
  private boolean withdrawn;

  /** Takes {@code value} for the select, if it still waits: true if this branch won. */
  public boolean deliver(Object value) {
    return commit(value, false, null);
  }

  /** The channel is closed and drained: a ready branch that fails the select, if it still waits. */
  public boolean deliverClosed() {
    return commit(null, true, null);
  }

  /** The owner failed (died, closed): the select fails with {@code failure}, if it still waits. */
  public boolean fail(RuntimeException failure) {
    return commit(null, false, failure);
  }

  private boolean commit(Object value, boolean closed, RuntimeException failure) {
    lock.lock();
    try {
      if (!node.tryCommit()) {
        return false;
      }
      node.item = value;
      node.closed = closed;
      node.failure = failure;
    } finally {
      lock.unlock();
    }
    node.wake();
    return true;
  }

  /**
   * Runs {@code action} when the select withdraws this slot (at once if it already did). Called
   * once, after the reservation was asked for, so that the withdrawal follows it on the wire.
   */
  public void onWithdraw(Runnable action) {
    boolean now;
    synchronized (this) {
      now = withdrawn;
      if (!now) {
        onWithdraw = action;
      }
    }
    if (now) {
      action.run();
    }
  }

  @Override
  public ReentrantLock lock() {
    return lock;
  }

  @Override
  public void withdraw(Node n) {
    Runnable action;
    synchronized (this) {
      withdrawn = true;
      action = onWithdraw;
      onWithdraw = null;
    }
    if (action != null) {
      action.run();
    }
  }
}
