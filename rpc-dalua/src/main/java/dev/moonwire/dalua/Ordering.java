package dev.moonwire.dalua;

/**
 * The order in which a {@link Topic}'s subscribers receive its messages ({@link Dalua#topic}).
 * Every ordering keeps each publisher's messages in the order it published them.
 */
public enum Ordering {
  /**
   * Each publisher's messages in the order it published them; messages of different publishers
   * in any order. Sent straight from the publisher to each subscriber: the cheapest.
   */
  FIFO,
  /**
   * Causal order ({@link Dalua#causal}): a message published after receiving (or publishing)
   * another is received after it at every subscriber.
   */
  CAUSAL,
  /**
   * Total order ({@link Dalua#total}): every subscriber receives the messages it receives in
   * one and the same order.
   */
  TOTAL
}
