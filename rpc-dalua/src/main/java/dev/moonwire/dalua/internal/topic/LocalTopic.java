package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.Ordering;
import dev.moonwire.dalua.Subscription;
import dev.moonwire.dalua.Topic;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.topic.TopicPeer.Delivery;
import dev.moonwire.dalua.internal.topic.TopicPeer.Evicted;
import dev.moonwire.dalua.internal.topic.TopicPeer.Published;
import dev.moonwire.dalua.internal.topic.TopicPeer.Register;
import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One topic as this process declared it: its subscriptions here, and for FIFO its
 * {@link Outbox} (publishing) and current {@link Inbox} (subscribed).
 *
 * <p><b>Why a publish after {@code subscribe} returned is never lost (FIFO).</b> A FIFO
 * publisher does not read the directory per message: it keeps the subscribers it knows in its
 * {@link Outbox}. Two steps, each a write then a read of the directory, which is linearizable
 * ({@code Directory.local()} and the hub process each apply one group operation at a time):
 * <ol>
 *   <li>declaring: the publisher P records the topic here (so a subscriber's {@code register}
 *       finds it), joins the declared group, then reads the subscribers group into its outbox;
 *       its topic is handed out — and can publish — only after that;
 *   <li>subscribing: the subscriber S makes its inbox, joins the subscribers group, then reads
 *       the declared group and sends {@code register} to every process in it, returning only
 *       once each has answered (its outbox holds S before it answers) or is gone.
 * </ol>
 * Either S's read of the declared group came after P joined it — then P is among those S waited
 * for, and P held S before {@code subscribe} returned — or it came before, so S's join came
 * before P's join and hence before P's read of the subscribers, which therefore holds S. In both
 * cases every publish P begins after {@code subscribe} returned is sent to S, whatever P's view
 * was when S subscribed. Thereafter S leaves P's outbox only when S answers that it no longer
 * subscribes, when the failure detector holds S gone, or when P gives up on it and tells it
 * ({@link Evicted}): never silently. (Take the {@code register} round away and a publisher that
 * declared before S subscribed never learns of S: {@code TopicTest} sees the loss.)
 *
 * <p>CAUSAL and TOTAL topics publish with DALua's causal and total multicast in the declared
 * group; the multicast reads the group's members from the directory for each message, after
 * the publish began, and S joined that group when it declared the topic — before it could
 * subscribe — so the same holds there without a handshake.
 *
 * <p>State confined to the process's events: the public methods hop onto one.
 */
final class LocalTopic<T> implements Topic<T> {
  private static final Duration REGISTER_DEADLINE = Duration.ofSeconds(10);
  private static final Duration REGISTER_RETRY = Duration.ofMillis(200);

  private final TopicHost host;
  private final TopicNames names;
  private final String what;
  private final Class<T> type;
  /** Completes when the declaration is done: the topic is known to the directory. */
  final CompletableFuture<Void> declared = new CompletableFuture<>();
  private final List<LocalSubscription<T>> subscriptions = new ArrayList<>();
  private final Outbox outbox;
  private Inbox inbox;
  /** Whether the directory dropped this process since it joined the declared group. */
  private boolean fenced;

  LocalTopic(TopicHost host, TopicNames names, Class<T> type, long incarnation) {
    this.host = host;
    this.names = names;
    this.type = type;
    this.what = "topic '" + names.name() + "'";
    this.outbox = new Outbox(host, names.declared(), names.name(), incarnation);
  }

  TopicNames names() {
    return names;
  }

  private RpcProcess process() {
    return host.process();
  }

  @Override
  public String name() {
    return names.name();
  }

  @Override
  public Class<T> type() {
    return type;
  }

  @Override
  public Ordering ordering() {
    return names.ordering();
  }

  /** Second step of declaring, on the caller's thread: FIFO's subscribers read in. */
  void learn(List<ProcessId> subscribers) {
    OnEvent.call(process(), () -> {
      outbox.learn(subscribers);
      return null;
    });
  }

  @Override
  public void publish(T message) {
    Objects.requireNonNull(message, "message");
    if (!type.isInstance(message)) {
      throw new IllegalArgumentException(what + ": publish of a " + message.getClass().getName()
          + " (expected: a " + type.getName() + ")");
    }
    rejoinIfFenced("publish");
    if (ordering() == Ordering.FIFO) {
      OnEvent.call(process(), () -> {
        outbox.publish(message);
        return null;
      });
    } else {
      host.multicast(names.declared(), ordering())
          .send(TopicPeer.MULTICAST, new Published(names.declared(), message));
    }
  }

  @Override
  public Subscription subscribe(Consumer<? super T> handler) {
    Objects.requireNonNull(handler, "handler");
    rejoinIfFenced("subscribe");
    LocalSubscription<T> sub = new LocalSubscription<>(this, handler);
    Inbox[] mine = new Inbox[1];
    CompletableFuture<Void> other = OnEvent.call(process(), () -> {
      subscriptions.add(sub);
      if (ordering() != Ordering.FIFO) {
        return CompletableFuture.completedFuture(null);
      }
      if (inbox != null) {
        return inbox.registered;
      }
      long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
      inbox = new Inbox(process(), what, id);
      mine[0] = inbox;
      return null;
    });
    try {
      if (other != null) {
        OnEvent.await(process(), other);
      } else {
        register(mine[0]);
        mine[0].registered.complete(null);
      }
    } catch (RuntimeException e) {
      if (mine[0] != null) {
        mine[0].registered.completeExceptionally(e);
      }
      OnEvent.call(process(), () -> {
        subscriptions.remove(sub);
        sub.end(null);
        if (mine[0] != null && inbox == mine[0]) {
          inbox.end();
          inbox = null;
          try {
            leaveUnlessSubscribed(); // it may have joined: publishers would wait on it
          } catch (RpcException failed) {
            e.addSuppressed(failed);
          }
        }
        return null;
      });
      throw e;
    }
    return sub;
  }

  /**
   * Step 2 of the argument above, on the caller's thread: joins the subscribers, then waits
   * until every process that declared the topic has recorded {@code r} — or is gone, or no
   * longer declares it.
   */
  private void register(Inbox r) {
    host.join(names.subscribers());
    Set<ProcessId> done = new HashSet<>();
    while (true) {
      List<ProcessId> pending = host.members(names.declared()).stream()
          .filter(p -> !done.contains(p)).toList();
      if (pending.isEmpty()) {
        return;
      }
      Map<ProcessId, CompletableFuture<Object>> answers = new LinkedHashMap<>();
      for (ProcessId p : pending) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        answers.put(p, answer);
        process().<Boolean>async(p, TopicPeer.REGISTER, answer::complete, answer::complete)
            .withDeadline(REGISTER_DEADLINE).call(new Register(names.declared(), r.registration));
      }
      OnEvent.await(process(),
          CompletableFuture.allOf(answers.values().toArray(CompletableFuture[]::new)));
      boolean again = false;
      for (Map.Entry<ProcessId, CompletableFuture<Object>> a : answers.entrySet()) {
        Object answer = a.getValue().join();
        if (!(answer instanceof RpcException e) || e instanceof NoSuchFunctionException
            || host.liveness().gone(a.getKey(), e)) {
          done.add(a.getKey()); // recorded, or it publishes nothing (false, gone): no wait
        } else if (e instanceof OverloadedException || e instanceof DeadlineExceededException
            || e instanceof PeerUnavailableException) {
          again = true; // slow, busy or cut off for now: it may still publish, so ask again
        } else {
          throw e;
        }
      }
      if (again) {
        process().sleep(REGISTER_RETRY);
      }
    }
  }

  /**
   * On the caller's thread, before a publish or subscribe: fails while this process is fenced;
   * once it joined again, joins the declared group again and reads the subscribers in (the
   * first step of declaring, again), which the directory dropped it from.
   *
   * @throws dev.moonwire.rpc.FencedException if the process is fenced
   */
  private void rejoinIfFenced(String op) {
    boolean rejoin = OnEvent.call(process(), () -> {
      host.checkNotFenced(what + ": " + op);
      return fenced;
    });
    if (!rejoin) {
      return;
    }
    host.join(names.declared());
    List<ProcessId> subscribers = ordering() == Ordering.FIFO
        ? host.members(names.subscribers()) : List.of();
    OnEvent.call(process(), () -> {
      outbox.learn(subscribers);
      fenced = false;
      return null;
    });
  }

  /**
   * On an event: the directory dropped this process from the topic's groups, so publishers
   * no longer find it: every subscription ends with {@code why}, never silently.
   */
  void fence(RpcException why) {
    fenced = true;
    if (inbox != null) {
      inbox.end();
      inbox = null;
    }
    endAll(why);
  }

  /** Ends {@code sub}; the last one ends this process's FIFO registration. */
  void cancel(LocalSubscription<T> sub) {
    boolean leave = OnEvent.call(process(), () -> {
      if (!subscriptions.remove(sub)) {
        return false;
      }
      sub.end(null);
      if (subscriptions.isEmpty() && inbox != null) {
        inbox.end();
        inbox = null;
        return true;
      }
      return false;
    });
    if (leave) {
      OnEvent.call(process(), () -> {
        leaveUnlessSubscribed();
        return null;
      });
    }
  }

  /**
   * On an event: leaves the subscribers unless a subscription came meanwhile (a handler that
   * subscribed again when its subscription ended, another thread): that one's join may have
   * landed before this leave, so it joins again after — a subscriber is never left out.
   */
  private void leaveUnlessSubscribed() {
    if (inbox != null) {
      return;
    }
    host.leave(names.subscribers()); // suspends: a subscribe may run meanwhile
    if (inbox != null) {
      host.join(names.subscribers());
    }
  }

  // ------------------------------------------------------------- from peers, on events

  /** A subscriber's {@code register}: it is sent to from now on. */
  boolean register(ProcessId from, Register r) {
    if (ordering() != Ordering.FIFO) {
      return false;
    }
    outbox.register(from, r.id());
    return true;
  }

  /** A FIFO message: handed to this process's subscriptions in its publisher's order. */
  boolean deliver(ProcessId from, Delivery d) {
    Inbox in = inbox;
    if (in == null || ordering() != Ordering.FIFO) {
      return false;
    }
    return in.deliver(from, d, this::handOut);
  }

  /** A CAUSAL or TOTAL message, from the multicast. */
  void published(Published p) {
    handOut(p.message());
  }

  /** A publisher gave up on this process: its subscriptions end, told why. */
  void evicted(ProcessId from, Evicted e) {
    if (!host.members(names.declared()).contains(from)) { // suspends: a directory read
      throw new BadArgumentsException(what + ": eviction by " + from + " refused (expected: "
          + "from a process that declared the topic)");
    }
    if (inbox == null || (e.registration() != 0 && e.registration() != inbox.registration)
        || (e.registration() == 0 && !inbox.evictedBy(from, e.stream()))) {
      return; // an older registration's: that one ended already
    }
    inbox.end();
    inbox = null;
    OverloadedException why = new OverloadedException(what + ": unsubscribed by publisher "
        + from + ": " + e.reason());
    endAll(why);
    host.later(Duration.ZERO, () -> {
      try {
        leaveUnlessSubscribed();
      } catch (RpcException failed) {
        host.report(failed);
      }
    });
  }

  /**
   * Ends every subscription with {@code why}, taking them out first: a callback of {@code
   * ended()} that subscribes again (it runs here, in this event) keeps its new subscription.
   */
  private void endAll(RpcException why) {
    List<LocalSubscription<T>> ending = List.copyOf(subscriptions);
    subscriptions.removeAll(ending);
    for (LocalSubscription<T> s : ending) {
      s.end(why);
    }
  }

  /** Runs each subscription's handler on {@code message}; one that throws is reported. */
  private void handOut(Object message) {
    EventConfinement.check(process(), what);
    if (!type.isInstance(message)) {
      throw new IllegalArgumentException(what + ": a " + message.getClass().getName()
          + " refused (expected: a " + type.getName() + ")");
    }
    T m = type.cast(message);
    for (LocalSubscription<T> s : List.copyOf(subscriptions)) {
      try {
        s.handle(m);
      } catch (RuntimeException e) {
        host.report(e);
      }
    }
  }

  /** FIFO subscribers this process sends to (for tests). */
  int knownSubscribers() {
    return outbox.subscribers();
  }

  @Override
  public String toString() {
    return "Topic[" + names.name() + ", " + type.getName() + ", " + ordering() + "]";
  }
}
