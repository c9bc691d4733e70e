package dev.moonwire.dalua;

import dev.moonwire.rpc.RpcException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One {@link Topic#subscribe subscription} of a process to a topic: its handler receives the
 * topic's messages until the subscription ends — cancelled here, or ended by the topic because
 * this subscriber could not keep up (its publishers waited for it past their deadline) or this
 * process's directory dropped it. It never ends silently: {@link #ended()} completes, and
 * {@link #failure()} says why when it was not cancelled. Methods may be called from any
 * thread.
 */
public interface Subscription {
  /** The topic subscribed to. */
  Topic<?> topic();

  /**
   * Ends the subscription: its handler receives no message after this returns (one running now
   * finishes). Harmless when it has ended already. Other subscriptions of this process to the
   * topic go on. Inside an event it may suspend (the directory is told), elsewhere it blocks.
   */
  void cancel();

  /** Whether the handler still receives the topic's messages. */
  boolean isActive();

  /**
   * Completes when the subscription ends: normally when it was {@linkplain #cancel cancelled},
   * exceptionally with an {@link RpcException} saying why when the topic ended it — an
   * {@link dev.moonwire.rpc.OverloadedException} naming the publisher that gave up waiting for
   * this subscriber, or a {@link dev.moonwire.rpc.FencedException}. Dependent actions run on
   * whatever thread completes it (an event of this process).
   */
  CompletionStage<Void> ended();

  /** Why the topic ended the subscription; empty while it is active or when it was cancelled. */
  Optional<RpcException> failure();
}
