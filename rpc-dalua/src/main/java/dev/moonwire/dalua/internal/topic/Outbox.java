package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.topic.TopicPeer.Delivery;
import dev.moonwire.dalua.internal.topic.TopicPeer.Evicted;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A FIFO publisher's side of one topic: a stream to each subscriber it knows, each message
 * numbered in it and kept until the subscriber answers that its handlers ran. At most
 * {@link #WINDOW} messages per subscriber are unanswered; a publish that finds a subscriber's
 * window full waits for room (a suspension point) until the publish deadline, then unsubscribes
 * that subscriber and tells it ({@link Evicted}) — nothing is skipped silently. A message the
 * subscriber's inbound budget refused is sent again (the subscriber orders by number, so a
 * later one that got in first waits for it); a subscriber the failure detector holds gone is
 * dropped with what it owed.
 *
 * <p>State confined to the process's events.
 */
final class Outbox {
  /** Messages a subscriber may owe an answer for before a publish waits for it. */
  static final int WINDOW = 64;
  private static final Duration RETRY = Duration.ofMillis(50);
  private static final Duration UNREACHABLE_RETRY = Duration.ofMillis(500);

  private final TopicHost host;
  private final String key;
  private final String what;
  private final long incarnation;
  private final Map<ProcessId, Stream> streams = new LinkedHashMap<>();
  private final List<CompletableFuture<Void>> waitingForRoom = new ArrayList<>();
  private long streamCount;

  /** The stream to one subscriber, in one of its registrations. */
  private static final class Stream {
    final ProcessId to;
    final long number;
    long registration; // 0 when learnt from the directory, before the subscriber said which
    long nextSeq;
    final TreeMap<Long, Object> unanswered = new TreeMap<>();

    Stream(ProcessId to, long number, long registration) {
      this.to = to;
      this.number = number;
      this.registration = registration;
    }
  }

  Outbox(TopicHost host, String key, String name, long incarnation) {
    this.host = host;
    this.key = key;
    this.what = "topic '" + name + "'";
    this.incarnation = incarnation;
  }

  private void confined() {
    EventConfinement.check(host.process(), what);
  }

  /** Subscribers read from the directory when this process declared the topic. */
  void learn(Collection<ProcessId> subscribers) {
    confined();
    for (ProcessId p : subscribers) {
      streams.computeIfAbsent(p, to -> new Stream(to, ++streamCount, 0));
    }
  }

  /** {@code subscriber} says it subscribed in {@code registration}: from now on it is sent to. */
  void register(ProcessId subscriber, long registration) {
    confined();
    Stream s = streams.get(subscriber);
    if (s != null && (s.registration == registration || s.registration == 0)) {
      s.registration = registration;
      return;
    }
    streams.put(subscriber, new Stream(subscriber, ++streamCount, registration));
  }

  /** The subscribers sent to now (for tests and the sample's status). */
  int subscribers() {
    return streams.size();
  }

  /**
   * Sends {@code message} to every subscriber, first waiting while one's window is full: a
   * suspension point. One still full at the deadline is unsubscribed and told.
   */
  void publish(Object message) {
    confined();
    long deadline = System.nanoTime() + host.publishDeadline().toNanos();
    while (true) {
      List<Stream> full = streams.values().stream()
          .filter(s -> s.unanswered.size() >= WINDOW).toList();
      if (full.isEmpty()) {
        break;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        for (Stream s : full) {
          evict(s, "its handlers did not take " + WINDOW + " messages within the publish "
              + "deadline of " + host.publishDeadline().toMillis() + " ms");
        }
        continue;
      }
      CompletableFuture<Void> room = new CompletableFuture<>();
      waitingForRoom.add(room);
      host.later(Duration.ofNanos(left), () -> room.complete(null));
      OnEvent.await(host.process(), room); // suspends: answers come in meanwhile
    }
    for (Stream s : List.copyOf(streams.values())) {
      long seq = s.nextSeq++;
      s.unanswered.put(seq, message);
      send(s, seq);
    }
  }

  private void send(Stream s, long seq) {
    Object message = s.unanswered.get(seq);
    if (message == null || streams.get(s.to) != s) {
      return;
    }
    long registration = s.registration;
    host.process().<Boolean>async(s.to, TopicPeer.DELIVER,
            ok -> answered(s, seq, registration, ok), e -> failed(s, seq, e))
        .withDeadline(host.publishDeadline().multipliedBy(2))
        .call(new Delivery(key, incarnation, s.number, registration, seq,
            s.unanswered.firstKey(), message));
  }

  private void answered(Stream s, long seq, long sentUnder, Boolean handled) {
    confined();
    if (streams.get(s.to) != s) {
      return; // dropped or replaced meanwhile
    }
    host.liveness().heard(s.to);
    if (Boolean.TRUE.equals(handled)) {
      s.unanswered.remove(seq);
    } else if (sentUnder == s.registration) {
      streams.remove(s.to); // it has no subscription (any more): nothing to wait for
    } else {
      // refused by the subscription it had before it registered again (a reply that came
      // after the new register): the new one is owed it, in its place in the order
      send(s, seq);
      return;
    }
    wakeWaiting();
  }

  private void failed(Stream s, long seq, RpcException e) {
    confined();
    if (streams.get(s.to) != s) {
      return;
    }
    if (e instanceof OverloadedException) {
      host.later(RETRY, () -> send(s, seq)); // its budget is full now: it holds us back
    } else if (e instanceof DeadlineExceededException) {
      evict(s, "a delivery was not answered within " + host.publishDeadline().multipliedBy(2)
          .toMillis() + " ms");
    } else if (e instanceof NoSuchFunctionException || e instanceof ProcessClosedException
        || host.liveness().gone(s.to, e)) {
      streams.remove(s.to);
      host.memberGone(s.to, what + " (publish): dropped the subscriber and the "
          + s.unanswered.size() + " messages it owed answers for");
      wakeWaiting();
    } else if (e instanceof PeerUnavailableException) {
      host.later(UNREACHABLE_RETRY, () -> send(s, seq)); // not gone yet: a blip, or slow
    } else {
      evict(s, "a delivery failed: " + e);
    }
  }

  /** Stops sending to {@code s}'s subscriber and tells it its subscription ended, and why. */
  private void evict(Stream s, String reason) {
    streams.remove(s.to);
    wakeWaiting();
    String why = host.process().id() + " gave up on it: " + reason;
    host.memberGone(s.to, what + " (publish): unsubscribed: " + reason);
    tellEvicted(s.to, new Evicted(key, s.registration, s.number, why));
  }

  private void tellEvicted(ProcessId to, Evicted evicted) {
    host.process().<Object>async(to, TopicPeer.EVICTED, ignored -> {}, e -> {
      if (e instanceof OverloadedException
          || (e instanceof PeerUnavailableException && !host.liveness().gone(to, e))
          || e instanceof DeadlineExceededException) {
        host.later(UNREACHABLE_RETRY, () -> tellEvicted(to, evicted)); // told, never skipped
      }
    }).call(evicted);
  }

  private void wakeWaiting() {
    if (!waitingForRoom.isEmpty()) {
      List<CompletableFuture<Void>> go = List.copyOf(waitingForRoom);
      waitingForRoom.clear();
      go.forEach(f -> f.complete(null));
    }
  }
}
