package dev.moonwire.csp.internal;

import dev.moonwire.csp.Channel;
import dev.moonwire.csp.ChannelClosedException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel in this JVM: a bounded buffer and two queues of waiting nodes, under one lock that
 * is held only for a few field updates. A waiting node is served only by winning its
 * {@link Wait}'s commit cell, so a node of an {@code Alt} that another channel served meanwhile
 * is simply dropped here. Readers wait only while the buffer is empty and no writer waits;
 * writers only while the buffer is full and no reader waits.
 */
public final class LocalChannel<T> implements Channel<T>, WaitQueue {
  static final Object NONE = new Object();
  static final Object CLOSED = new Object();
  static final int DONE = 0;
  static final int FULL = 1;
  static final int SHUT = 2;

  private static final AtomicLong IDS = new AtomicLong();

  /** The order in which an Alt takes the locks of several channels. */
  final long id = IDS.incrementAndGet();
  private final ReentrantLock lock = new ReentrantLock();
  private final int depth;
  private final ArrayDeque<Object> buffer = new ArrayDeque<>();
  private final ArrayDeque<Node> readers = new ArrayDeque<>();
  private final ArrayDeque<Node> writers = new ArrayDeque<>();
  private boolean closed;
  /** Values taken by remote readers that may still be given back ({@link #lent}). */
  private int onLoan;

  public LocalChannel(int depth) {
    if (depth < 0) {
      throw new IllegalArgumentException("depth : " + depth + " (expected: >= 0)");
    }
    this.depth = depth;
  }

  /** True once {@link #close} was called. */
  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** The number of cells: 0 for a rendezvous. */
  public int depth() {
    return depth;
  }

  @Override
  public ReentrantLock lock() {
    return lock;
  }

  @Override
  public T read() {
    Node node;
    Wait wait;
    lock.lock();
    try {
      Object v = takeNow();
      if (v != NONE) {
        return value(v, "read");
      }
      wait = new Wait();
      node = new Node(wait, 0, this, null);
      readers.add(node);
    } finally {
      lock.unlock();
    }
    wait.await(new Node[] {node});
    if (node.closed) {
      throw closed("read");
    }
    return cast(node.item);
  }

  @Override
  public void write(T value) {
    Objects.requireNonNull(value, "value");
    Node node;
    Wait wait;
    lock.lock();
    try {
      int r = putNow(value);
      if (r == DONE) {
        return;
      }
      if (r == SHUT) {
        throw closed("write");
      }
      wait = new Wait();
      node = new Node(wait, 0, this, value);
      writers.add(node);
    } finally {
      lock.unlock();
    }
    wait.await(new Node[] {node});
    if (node.closed) {
      throw closed("write");
    }
  }

  @Override
  public boolean offer(T value) {
    Objects.requireNonNull(value, "value");
    lock.lock();
    try {
      int r = putNow(value);
      if (r == SHUT) {
        throw closed("offer");
      }
      return r == DONE;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<T> poll() {
    lock.lock();
    try {
      Object v = takeNow();
      return v == NONE ? Optional.empty() : Optional.of(value(v, "poll"));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // Waiting writers keep their values and fail; readers fail only if nothing is left.
      for (Node w; (w = writers.poll()) != null; ) {
        if (w.tryCommit()) {
          w.closed = true;
          w.wake();
        }
      }
      if (buffer.isEmpty() && onLoan == 0) {
        failReaders();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Under the lock: takes a value if one is there now — the buffer's oldest (refilled from a
   * waiting writer), or a waiting writer's. Returns the value, {@link #CLOSED} or {@link #NONE}.
   */
  Object takeNow() {
    Object v = buffer.poll();
    if (v != null) {
      // Refill from a waiting writer only into a free cell: a value given back past the depth
      // (restore) must not let a rendezvous writer return before a reader has its value.
      for (Node w; buffer.size() < depth && (w = writers.poll()) != null; ) {
        if (w.tryCommit()) {
          buffer.add(w.item);
          w.item = null;
          w.wake();
          break;
        }
      }
      return v;
    }
    for (Node w; (w = writers.poll()) != null; ) {
      if (w.tryCommit()) {
        Object taken = w.item;
        w.item = null;
        w.wake();
        return taken;
      }
    }
    // Values lent to remote readers may still come back: not drained until they are settled.
    return closed && onLoan == 0 ? CLOSED : NONE;
  }

  /** Under the lock: puts {@code value} if that needs no wait; {@link #DONE}, {@link #FULL}, {@link #SHUT}. */
  int putNow(Object value) {
    if (closed) {
      return SHUT;
    }
    for (Node r; (r = readers.poll()) != null; ) {
      if (r.tryCommit()) {
        r.item = value;
        r.wake();
        return DONE;
      }
    }
    if (buffer.size() < depth) {
      buffer.add(value);
      return DONE;
    }
    return FULL;
  }

  /** A value just taken was lent to a remote reader: until {@link #settle}d, the channel is not drained. */
  public void lent() {
    lock.lock();
    try {
      onLoan++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A lent value's fate is known: its reader has it ({@code givenBack} null), or it comes back
   * ({@link #restore}d here). A closed channel whose last loan settled with nothing left is
   * drained: its waiting readers fail.
   */
  public void settle(Object givenBack) {
    lock.lock();
    try {
      onLoan--;
      if (givenBack != null) {
        restoreNow(givenBack);
      }
      if (closed && onLoan == 0 && buffer.isEmpty()) {
        failReaders();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives back a value that was taken but never reached its reader (a remote reader that died,
   * or withdrew, as the value travelled): to a waiting reader, else at the head of the buffer —
   * even past its depth, since dropping it would lose it. A closed channel keeps it for its
   * readers too.
   */
  public void restore(Object value) {
    Objects.requireNonNull(value, "value");
    lock.lock();
    try {
      restoreNow(value);
    } finally {
      lock.unlock();
    }
  }

  private void restoreNow(Object value) {
    for (Node r; (r = readers.poll()) != null; ) {
      if (r.tryCommit()) {
        r.item = value;
        r.wake();
        return;
      }
    }
    buffer.addFirst(value);
  }

  /** Under the lock, closed and drained: every waiting reader fails. */
  private void failReaders() {
    for (Node r; (r = readers.poll()) != null; ) {
      if (r.tryCommit()) {
        r.closed = true;
        r.wake();
      }
    }
  }

  /** Under the lock: queues an Alt's reader node. */
  void addReader(Node node) {
    readers.add(node);
  }

  /** Under the lock: queues an Alt's writer node. */
  void addWriter(Node node) {
    writers.add(node);
  }

  @Override
  public void withdraw(Node node) {
    lock.lock();
    try {
      if (!readers.remove(node)) {
        writers.remove(node);
      }
    } finally {
      lock.unlock();
    }
  }

  private T value(Object v, String operation) {
    if (v == CLOSED) {
      throw closed(operation);
    }
    return cast(v);
  }

  static ChannelClosedException closed(String operation) {
    return new ChannelClosedException(operation + " on a closed channel"
        + (operation.equals("write") || operation.equals("offer") ? ""
            : " that holds nothing more"));
  }

  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // the channel's own T
  private static <T> T cast(Object v) {
    return (T) v;
  }

  /** How many values are buffered, and how many readers and writers wait (for tests). */
  @Override
  public String toString() {
    lock.lock();
    try {
      return "Channel(depth " + depth + ", " + buffer.size() + " buffered, " + readers.size()
          + " readers and " + writers.size() + " writers waiting" + (closed ? ", closed)" : ")");
    } finally {
      lock.unlock();
    }
  }
}
