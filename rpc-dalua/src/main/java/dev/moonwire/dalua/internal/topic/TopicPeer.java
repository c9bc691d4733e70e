package dev.moonwire.dalua.internal.topic;

import java.util.Objects;

/**
 * The topics' protocol, all of it: each process exports it under {@link #PREFIX} (which also
 * registers its records for the wire); callers name the functions below. The sender of each
 * message is the authenticated peer of its connection ({@code Rpc.sender()}), never a field of
 * the message. {@code topic} is the topic's key (its name, type and ordering,
 * {@link TopicNames}).
 */
public interface TopicPeer {
  /** The name space of the functions. */
  String PREFIX = "dalua.topic";
  /** A subscriber tells a publisher it subscribed; answered with true once recorded. */
  String REGISTER = PREFIX + ".register";
  /** One FIFO message, publisher to subscriber; answered true once handled, false if refused. */
  String DELIVER = PREFIX + ".deliver";
  /** A publisher tells a subscriber it gave up waiting for it: its subscription ends. */
  String EVICTED = PREFIX + ".evicted";
  /** A CAUSAL or TOTAL message, delivered by the multicast to each member. */
  String MULTICAST = PREFIX + ".multicast";

  /** A subscriber of {@code topic} in its registration {@code id} (random per registration). */
  public record Register(String topic, long id) {
    public Register {
      Objects.requireNonNull(topic, "topic");
    }
  }

  /**
   * Message {@code seq} of the publisher's stream {@code stream} (of its {@code incarnation})
   * to one subscriber, sent while the publisher held its {@code registration} (0: learnt from
   * the directory, not yet told which); every message before {@code first} was handled there
   * already.
   */
  public record Delivery(String topic, long incarnation, long stream, long registration,
      long seq, long first, Object message) {
    public Delivery {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The publisher ended the receiver's subscription to {@code topic}: its {@code registration},
   * or when the publisher learnt it from the directory unnamed (0) the one its stream {@code
   * stream} reached; and why.
   */
  public record Evicted(String topic, long registration, long stream, String reason) {
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

  /** A subscriber's registration: true once recorded, false if the topic is not declared here. */
  boolean register(Register r);

  /** A FIFO message: true once its handlers ran here, false if refused (no subscription). */
  boolean deliver(Delivery d);

  /** The sending publisher ended this process's subscription. */
  void evicted(Evicted e);

  /** A CAUSAL or TOTAL message, as this process's own multicast delivers it. */
  void multicast(Published p);
}
