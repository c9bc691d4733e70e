package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.Subscription;
import dev.moonwire.dalua.Topic;
import dev.moonwire.rpc.RpcException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A subscription's handler and its end; changed on the process's events only. */
final class LocalSubscription<T> implements Subscription {
  private final LocalTopic<T> topic;
  private final Consumer<? super T> handler;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean active = true;
  private volatile RpcException failure;

  LocalSubscription(LocalTopic<T> topic, Consumer<? super T> handler) {
    this.topic = topic;
    this.handler = handler;
  }

  @Override
  public Topic<?> topic() {
    return topic;
  }

  @Override
  public void cancel() {
    topic.cancel(this);
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public CompletionStage<Void> ended() {
    return ended.minimalCompletionStage();
  }

  @Override
  public Optional<RpcException> failure() {
    return Optional.ofNullable(failure);
  }

  /** Runs the handler on {@code message} if still active: on an event. */
  void handle(T message) {
    if (active) {
      handler.accept(message);
    }
  }

  /** Ends it, cancelled ({@code why} null) or by the topic: on an event. */
  void end(RpcException why) {
    if (!active) {
      return;
    }
    active = false;
    if (why == null) {
      ended.complete(null);
    } else {
      failure = why;
      ended.completeExceptionally(why);
    }
  }

  @Override
  public String toString() {
    return "subscription to " + topic.name() + (active ? "" : " (ended)");
  }
}
