package dev.moonwire.rpc.runtime.internal.wire;


import dev.moonwire.rpc.CallHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A process's serializers. The process's own events share one {@link WireSerializer} (they run
 * one at a time, so it is confined to the process without a lock, and costs nothing to reach).
 * Threads outside the process — a {@code main} method, a test — borrow one from a small pool.
 */
public final class WireCodec {
  private final java.util.function.BooleanSupplier owns;
  private final WireSerializer owned;
  private final SerializerPool pool;

  /**
   * @param owns true on a thread that runs the process's events (where the process's own
   *     serializer may be used without a lock)
   */
  public WireCodec(java.util.function.BooleanSupplier owns, WireRegistry registry,
      int maxFrameBytes) {
    this.owns = owns;
    this.owned = new WireSerializer(registry, maxFrameBytes, this::self);
    this.pool = new SerializerPool(
        () -> new WireSerializer(registry, maxFrameBytes, WireCodec.this::self));
  }

  // Each operation picks the serializer itself rather than taking a lambda: this is the call
  // path, and a capturing lambda per call is an allocation per call.

  private volatile String self = "this process";

  private String self() {
    return self;
  }

  /** The process's id, once it has one: errors about what it reads name it. */
  public void self(dev.moonwire.rpc.ProcessId id) {
    self = "process " + id;
  }

  private boolean owns() {
    return owns.getAsBoolean();
  }

  public OutFrame encodeCall(ByteBufAllocator alloc, byte kind, long callId, long deadlineMillis,
      String function, Object[] args) {
    return encodeCall(alloc, kind, callId, deadlineMillis, function, args, null);
  }

  /** A REQUEST with {@code headers} (null or empty for none), or a SEND. */
  public OutFrame encodeCall(ByteBufAllocator alloc, byte kind, long callId, long deadlineMillis,
      String function, Object[] args, CallHeaders headers) {
    if (owns()) {
      return OutFrame.call(owned.encodeCall(alloc, kind, callId, deadlineMillis, function, args,
          headers), function);
    }
    WireSerializer s = pool.obtain();
    try {
      return OutFrame.call(s.encodeCall(alloc, kind, callId, deadlineMillis, function, args,
          headers), function);
    } finally {
      pool.free(s);
    }
  }

  public OutFrame encodeReply(ByteBufAllocator alloc, long callId, String function,
      Object value) {
    if (owns()) {
      return OutFrame.reply(owned.encodeReply(alloc, callId, function, value));
    }
    WireSerializer s = pool.obtain();
    try {
      return OutFrame.reply(s.encodeReply(alloc, callId, function, value));
    } finally {
      pool.free(s);
    }
  }

  public Object[] decodeArgs(ByteBuf body, String function, WireSchema.Peer peer) {
    if (owns()) {
      return owned.decodeArgs(body, function, peer);
    }
    WireSerializer s = pool.obtain();
    try {
      return s.decodeArgs(body, function, peer);
    } finally {
      pool.free(s);
    }
  }

  public Object decodeValue(ByteBuf body, String function, WireSchema.Peer peer) {
    if (owns()) {
      return owned.decodeValue(body, function, peer);
    }
    WireSerializer s = pool.obtain();
    try {
      return s.decodeValue(body, function, peer);
    } finally {
      pool.free(s);
    }
  }
}
