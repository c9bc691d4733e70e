package dev.moonwire.csp.internal;

/**
 * One waiting operation in one queue: a reader, a writer or a {@code down}, belonging to a
 * {@link Wait} (an Alt has one node per channel branch, all sharing the wait).
 */
final class Node {
  final Wait wait;
  final int index;
  final WaitQueue queue;
  /** A writer's value; a reader's received value, written by its committer. */
  Object item;
  /** Set by the committer when it is {@code close()}: the operation fails. */
  boolean closed;
  /** Set by a remote guard's committer when the owner failed: the select throws it. */
  RuntimeException failure;

  Node(Wait wait, int index, WaitQueue queue, Object item) {
    this.wait = wait;
    this.index = index;
    this.queue = queue;
    this.item = item;
  }

  /** Claims this node's wait; on success the caller fills the node, then calls {@link #wake}. */
  boolean tryCommit() {
    return wait.tryCommit(index);
  }

  void wake() {
    wait.wake();
  }
}
