package dev.moonwire.dalua;

import java.util.function.Consumer;

/**
 * A named publish/subscribe topic (seed 001's LuaPS) among the processes attached to one
 * {@link Directory}: {@code Topic<Price> prices = dalua.topic("prices", Price.class)}. Every
 * process that declares it may publish and subscribe; messages are values of the declared type,
 * which must cross the wire: a built-in type, or one registered with
 * {@link dev.moonwire.rpc.RpcConfig#register} on every process that uses the topic (records
 * included, evolving as elsewhere).
 *
 * <p><b>What is promised.</b> A publish that begins after {@link #subscribe} returned — at any
 * process attached to the same directory, in real time — reaches that subscription while its
 * process lives and it stays subscribed. Each publisher's messages arrive in the order it
 * published them; {@link Ordering#CAUSAL} and {@link Ordering#TOTAL} add DALua's causal and
 * total multicast orders. A subscriber that died is dropped (nothing waits for it). A subscriber
 * that does not keep up holds its publishers back: {@link #publish} waits for it (a suspension
 * point) until its deadline, after which that subscriber is unsubscribed and told so through
 * its {@link Subscription} — never skipped silently, so a TOTAL topic's order stays identical at
 * every subscriber still subscribed.
 *
 * <p>Methods may be called from any thread. Handlers run as events of the subscriber's process,
 * one at a time with its other events; a handler that throws is reported to that process's
 * uncaught-error handler and the subscription goes on.
 */
public interface Topic<T> {
  /** The topic's name. */
  String name();

  /** The type of its messages. */
  Class<T> type();

  /** The order its subscribers receive messages in. */
  Ordering ordering();

  /**
   * Publishes {@code message} to the topic's current subscribers, this process's own included.
   * Inside an event it may suspend (a suspension point: while a subscriber's queue is full, and
   * for CAUSAL and TOTAL while the directory is read); elsewhere it blocks.
   *
   * @throws NullPointerException if {@code message} is null
   * @throws IllegalArgumentException if {@code message} is not of the topic's type
   * @throws dev.moonwire.rpc.SerializationException if it cannot cross the wire
   * @throws dev.moonwire.rpc.ProcessClosedException if this process closes first
   * @throws dev.moonwire.rpc.RpcException if the directory cannot be read (CAUSAL, TOTAL)
   */
  void publish(T message);

  /**
   * Subscribes {@code handler}: from the moment this returns, every message published anywhere
   * reaches it, as an event of this process, until the subscription ends. Returns once every
   * process that could publish to the topic has learnt of the subscription; inside an event it
   * suspends meanwhile, elsewhere it blocks.
   *
   * @throws dev.moonwire.rpc.RpcException if the directory cannot be reached
   * @throws dev.moonwire.rpc.FencedException if the directory dropped this process
   */
  Subscription subscribe(Consumer<? super T> handler);
}
