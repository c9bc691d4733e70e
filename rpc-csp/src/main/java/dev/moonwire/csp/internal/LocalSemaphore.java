package dev.moonwire.csp.internal;

import dev.moonwire.csp.Semaphore;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/** A semaphore in this JVM: a counter and a queue of waiting {@code down}s, under one lock. */
public final class LocalSemaphore implements Semaphore, WaitQueue {
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Node> waiting = new ArrayDeque<>();
  private int count;

  public LocalSemaphore(int init) {
    if (init < 0) {
      throw new IllegalArgumentException("init : " + init + " (expected: >= 0)");
    }
    this.count = init;
  }

  @Override
  public ReentrantLock lock() {
    return lock;
  }

  @Override
  public void down() {
    Node node;
    Wait wait;
    lock.lock();
    try {
      if (count > 0) {
        count--;
        return;
      }
      wait = new Wait();
      node = new Node(wait, 0, this, null);
      waiting.add(node);
    } finally {
      lock.unlock();
    }
    wait.await(new Node[] {node});
  }

  @Override
  public void up() {
    lock.lock();
    try {
      for (Node n; (n = waiting.poll()) != null; ) {
        if (n.tryCommit()) {
          n.wake();
          return;
        }
      }
      if (count == Integer.MAX_VALUE) {
        throw new IllegalStateException("up : the counter is at " + count
            + " (expected: below Integer.MAX_VALUE)");
      }
      count++;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void withdraw(Node node) {
    lock.lock();
    try {
      waiting.remove(node);
    } finally {
      lock.unlock();
    }
  }
}
