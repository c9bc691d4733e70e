package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.Ordering;
import dev.moonwire.dalua.Topic;
import dev.moonwire.dalua.internal.topic.TopicPeer.Delivery;
import dev.moonwire.dalua.internal.topic.TopicPeer.Evicted;
import dev.moonwire.dalua.internal.topic.TopicPeer.Published;
import dev.moonwire.dalua.internal.topic.TopicPeer.Register;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This process's topics, by name and by key, and the entry point of their protocol: it exports
 * {@link TopicPeer}'s functions, each of which runs as an event of the process and finds its
 * topic here. A message for a topic not declared here is refused (answered false), so peers
 * cannot make state here for topics this process never declared.
 *
 * <p>State confined to the process's events.
 */
public final class Topics implements TopicPeer {
  private final TopicHost host;
  /** Random per process: a publisher restarted at the same address starts new streams. */
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  private final Map<String, LocalTopic<?>> byName = new HashMap<>();
  private final Map<String, LocalTopic<?>> byKey = new HashMap<>();

  public Topics(TopicHost host) {
    this.host = host;
  }

  /** Exports the protocol's functions; returns this. */
  public Topics export() {
    host.process().export(TopicPeer.PREFIX, TopicPeer.class, this);
    return this;
  }

  /**
   * The topic {@code name} of {@code type} in {@code ordering}: declared in the directory the
   * first time, the same topic after. Any thread; inside an event it may suspend.
   *
   * @throws GroupException if {@code name} is declared with another type or ordering, here or
   *     at any process attached to the same directory
   */
  public <T> Topic<T> declare(String name, Class<T> type, Ordering ordering) {
    TopicNames names = new TopicNames(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(type, "type"), Objects.requireNonNull(ordering, "ordering"));
    LocalTopic<?>[] made = new LocalTopic<?>[1];
    LocalTopic<?> topic = OnEvent.call(host.process(), () -> {
      LocalTopic<?> t = byName.get(name);
      if (t == null) {
        t = new LocalTopic<>(host, names, type, incarnation);
        byName.put(name, t);
        byKey.put(names.declared(), t); // before joining: a subscriber's register finds it
        made[0] = t;
      }
      return t;
    });
    if (!topic.names().equals(names)) {
      throw new GroupException("topic '" + name + "' declared with " + type.getName() + ":"
          + ordering + " : it is declared here already with " + topic.type().getName() + ":"
          + topic.ordering() + " (expected: one message type and ordering per topic name)");
    }
    if (made[0] == null) {
      OnEvent.await(host.process(), topic.declared);
    } else {
      try {
        names.checkAgainst(host.groups());
        host.ensureGroup(names.declared());
        if (ordering == Ordering.FIFO) {
          host.ensureGroup(names.subscribers());
        }
        // two processes racing with two types both made their group: both see it now
        names.checkAgainst(host.groups());
        host.join(names.declared());
        if (ordering == Ordering.FIFO) {
          topic.learn(host.members(names.subscribers()));
        }
        topic.declared.complete(null);
      } catch (RuntimeException e) {
        topic.declared.completeExceptionally(e);
        OnEvent.call(host.process(), () -> {
          byName.remove(name, topic);
          byKey.remove(names.declared(), topic);
          return null;
        });
        throw e;
      }
    }
    @SuppressWarnings("unchecked") // names equal: same type
    Topic<T> typed = (Topic<T>) topic;
    return typed;
  }

  @Override
  public boolean register(Register r) {
    ProcessId from = Rpc.sender();
    host.liveness().heard(from); // a refused dial to it later means it is gone
    LocalTopic<?> t = byKey.get(r.topic());
    return t != null && t.register(from, r);
  }

  @Override
  public boolean deliver(Delivery d) {
    ProcessId from = Rpc.sender();
    LocalTopic<?> t = byKey.get(d.topic());
    return t != null && t.deliver(from, d);
  }

  @Override
  public void evicted(Evicted e) {
    ProcessId from = Rpc.sender();
    LocalTopic<?> t = byKey.get(e.topic());
    if (t != null) {
      t.evicted(from, e);
    }
  }

  @Override
  public void multicast(Published p) {
    ProcessId from = Rpc.sender();
    if (!from.equals(host.process().id())) {
      throw new IllegalArgumentException("topic message from " + from + " refused: only "
          + "this process's multicast delivers them (expected: from " + host.process().id()
          + ")");
    }
    LocalTopic<?> t = byKey.get(p.topic());
    if (t != null) {
      t.published(p);
    }
  }

  /**
   * On an event: the directory dropped this process, so it is in none of the topics' groups:
   * every subscription ends with {@code error}'s exception; each topic joins its group again
   * at its first publish or subscribe after the process joined again.
   */
  public void fence(java.util.function.Function<String, ? extends RpcException> error) {
    for (LocalTopic<?> t : byName.values()) {
      t.fence(error.apply(t.toString() + ": subscription"));
    }
  }

  /** FIFO subscribers {@code name}'s publisher side sends to here (for tests). */
  public int knownSubscribers(String name) {
    return OnEvent.call(host.process(), () -> {
      LocalTopic<?> t = byName.get(name);
      return t == null ? 0 : t.knownSubscribers();
    });
  }
}
