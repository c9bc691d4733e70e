package dev.moonwire.csp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The one race every wait must survive: a committer wins the wait's cell, and before it has
 * filled the node and woken the owner, the owner is cancelled. The operation has happened, so
 * the owner must see the value (not throw and lose it), and keep the cancellation for later.
 */
class WaitTest {
  private static final class Queue implements WaitQueue {
    final ReentrantLock lock = new ReentrantLock();

    @Override
    public ReentrantLock lock() {
      return lock;
    }

    @Override
    public void withdraw(Node node) {}
  }

  @Test
  void await_cancelledAfterTheCommitBeforeTheWake_returnsTheValue_keepsTheInterrupt()
      throws Exception {
    Queue q = new Queue();
    Wait w = new Wait();
    Node node = new Node(w, 0, q, null);
    CountDownLatch committed = new CountDownLatch(1);
    CountDownLatch fill = new CountDownLatch(1);
    Thread committer = Thread.ofVirtual().start(() -> {
      q.lock.lock();
      try {
        assertTrue(node.tryCommit());
        committed.countDown();
        fill.await(10, TimeUnit.SECONDS); // the owner's cancellation lands here
        node.item = 42;
        node.wake();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      } finally {
        q.lock.unlock();
      }
    });
    assertTrue(committed.await(10, TimeUnit.SECONDS));
    CompletableFuture<String> owner = new CompletableFuture<>();
    Thread t = Thread.ofVirtual().unstarted(() -> {
      Thread.currentThread().interrupt(); // cancelled: Rpc.await throws at once
      int s = w.await(new Node[] {node});
      owner.complete(s + " " + node.item + " " + Thread.currentThread().isInterrupted());
    });
    t.start();
    // the owner has thrown out of Rpc.await, lost the cell, and waits for the committer's lock
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> t.getState() == Thread.State.WAITING);
    fill.countDown();
    assertEquals("0 42 true", owner.get(10, TimeUnit.SECONDS));
    committer.join();
  }
}
