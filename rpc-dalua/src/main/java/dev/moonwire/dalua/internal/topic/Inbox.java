package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.topic.TopicPeer.Delivery;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A FIFO subscriber's side of one topic, for one registration (made by the process's first
 * subscription, ended by its last cancel or by a publisher that gave up on it): the numbered
 * stream of each publisher, handed to the subscriptions strictly in number order, one message
 * at a time — a message that came early (one before it was refused and is being sent again),
 * or while the one before is still in its handlers (they may suspend), waits for its turn.
 * Each delivery is answered once its handlers ran, which is what moves the publisher's window.
 *
 * <p>State confined to the process's events.
 */
final class Inbox {
  /** How far ahead of the next expected number a message may be: the publisher's window. */
  private static final int MAX_AHEAD = Outbox.WINDOW;

  private final RpcProcess process;
  private final String what;
  /** This registration's id, told to publishers with {@code register}. */
  final long registration;
  /** Completes once every publisher acknowledged the registration. */
  final CompletableFuture<Void> registered = new CompletableFuture<>();
  private final Map<ProcessId, In> streams = new HashMap<>();
  private boolean ended;

  /** One publisher's stream here. */
  private static final class In {
    final long incarnation;
    final long number;
    long next;
    boolean busy; // a message of it is in the handlers
    final TreeMap<Long, CompletableFuture<Boolean>> waiting = new TreeMap<>();

    In(long incarnation, long number, long next) {
      this.incarnation = incarnation;
      this.number = number;
      this.next = next;
    }

    void release(boolean go) {
      waiting.values().forEach(f -> f.complete(go));
      waiting.clear();
    }
  }

  Inbox(RpcProcess process, String what, long registration) {
    this.process = process;
    this.what = what;
    this.registration = registration;
  }

  /**
   * Hands {@code d} to {@code handlers} in its publisher's order; may suspend while it waits for
   * its turn. True once they ran (or it ran before), false if this registration refuses it: it
   * ended, or {@code d} is of a stream the publisher has replaced since.
   */
  boolean deliver(ProcessId from, Delivery d, Consumer<Object> handlers) {
    EventConfinement.check(process, what);
    if (ended) {
      return false;
    }
    In in = streams.get(from);
    if (in == null || in.incarnation != d.incarnation() || in.number < d.stream()) {
      if (in != null) {
        in.release(false);
      }
      in = new In(d.incarnation(), d.stream(), d.first());
      streams.put(from, in);
    } else if (in.number > d.stream()) {
      return false;
    }
    if (d.first() > in.next && !in.busy && in.waiting.isEmpty()) {
      in.next = d.first(); // all before it were answered here: the publisher says so
    }
    if (d.seq() < in.next) {
      return true; // sent again after it got in: handled (or being handled) already
    }
    if (d.seq() - in.next > MAX_AHEAD) {
      throw new IllegalArgumentException(what + ": message " + d.seq() + " of " + from
          + " refused: " + (d.seq() - in.next) + " ahead of the next expected, " + in.next
          + " (expected: at most " + MAX_AHEAD + ", the publisher's window)");
    }
    if (d.seq() != in.next || in.busy) {
      CompletableFuture<Boolean> turn = new CompletableFuture<>();
      CompletableFuture<Boolean> before = in.waiting.put(d.seq(), turn);
      if (before != null) {
        before.complete(false);
      }
      if (!OnEvent.await(process, turn) || ended || streams.get(from) != in) {
        return false;
      }
    }
    in.busy = true;
    in.next = d.seq() + 1;
    try {
      handlers.accept(d.message());
    } finally {
      in.busy = false;
      CompletableFuture<Boolean> nextTurn = in.waiting.remove(in.next);
      if (nextTurn != null) {
        nextTurn.complete(true);
      }
    }
    return true;
  }

  /** Ends the registration: deliveries waiting for their turn are refused. */
  void end() {
    EventConfinement.check(process, what);
    ended = true;
    streams.values().forEach(in -> in.release(false));
    streams.clear();
  }

  /**
   * Whether an eviction by {@code from} of its stream {@code stream} is this registration's:
   * its stream here is that one, or none reached here yet (nothing tells it apart then, and
   * ending a subscription told is better than one left waiting for a publisher that dropped it).
   */
  boolean evictedBy(ProcessId from, long stream) {
    In in = streams.get(from);
    return in == null || in.number == stream;
  }

  boolean ended() {
    return ended;
  }
}
