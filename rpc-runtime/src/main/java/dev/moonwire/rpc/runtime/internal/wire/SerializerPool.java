package dev.moonwire.rpc.runtime.internal.wire;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Supplier;

/**
 * The serializers that threads outside a process borrow, at most {@value #KEPT} kept. An array
 * queue rather than Kryo's {@code Pool}: that one is a linked queue, which allocates a node each
 * time a serializer comes back — twice per call made from outside a process.
 */
final class SerializerPool {
  private static final int KEPT = 16;
  private final ArrayBlockingQueue<WireSerializer> free = new ArrayBlockingQueue<>(KEPT);
  private final Supplier<WireSerializer> create;

  SerializerPool(Supplier<WireSerializer> create) {
    this.create = create;
  }

  WireSerializer obtain() {
    WireSerializer s = free.poll();
    return s != null ? s : create.get();
  }

  /** Keeps {@code s} for the next borrower, or drops it if {@value #KEPT} are kept already. */
  void free(WireSerializer s) {
    free.offer(s);
  }
}
