package dev.moonwire.dalua.internal.topic;

import java.util.Objects;

/**
 * The messages topics exchange, in one place. Each is the single argument of a function under
 * {@link #PREFIX}; the sender of each is the authenticated peer of its connection
 * ({@code Rpc.sender()}), never a field of the message. {@code topic} is the topic's key
 * (its name, type and ordering, {@link TopicNames}).
 */
public final class TopicPeer {
  /** The name space of the functions. */
  static final String PREFIX = "dalua.topic";
  /** A subscriber tells a publisher it subscribed; answered with true once recorded. */
  static final String REGISTER = PREFIX + ".register";
  /** One FIFO message, publisher to subscriber; answered true once handled, false if refused. */
  static final String DELIVER = PREFIX + ".deliver";
  /** A publisher tells a subscriber it gave up waiting for it: its subscription ends. */
  static final String EVICTED = PREFIX + ".evicted";
  /** A CAUSAL or TOTAL message, delivered by the multicast to each member. */
  static final String MULTICAST = PREFIX + ".multicast";

  private TopicPeer() {}

  /** A subscriber of {@code topic} in its registration {@code id} (random per registration). */
  public record Register(String topic, long id) {
    public Register {
      Objects.requireNonNull(topic, "topic");
    }
  }

  /**
   * Message {@code seq} of the publisher's stream {@code stream} (of its {@code incarnation})
   * to one subscriber; every message before {@code first} was handled there already.
   */
  public record Delivery(String topic, long incarnation, long stream, long seq, long first,
      Object message) {
    public Delivery {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The publisher ended the receiver's subscription to {@code topic} (its {@code registration},
   * 0 for whichever is current), and why.
   */
  public record Evicted(String topic, long registration, String reason) {
    public Evicted {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** A message of a CAUSAL or TOTAL topic, as its multicast carries it. */
  public record Published(String topic, Object message) {
    public Published {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(message, "message");
    }
  }
}
