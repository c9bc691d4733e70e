package dev.moonwire.rpc.runtime.internal.call;

import dev.moonwire.rpc.runtime.internal.transport.Budget;
import dev.moonwire.rpc.runtime.internal.wire.WireCodec;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;

import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;

/**
 * The outcome of one call: an encoded value still to be decoded, or a failure. The value is
 * decoded by whoever consumes it, on the consuming thread, so that decoding never runs on an
 * I/O thread.
 */
public final class Reply {
  private final WireCodec codec;
  private final String function;
  private final WireSchema.Peer peer;
  private ByteBuf body;
  private final RpcException failure;
  /** The inbound budget the encoded value counts against until it is read; null for none. */
  private final Budget budget;
  private final long cost;
  /** The reply frame's bytes as received; 0 for a failure. */
  private final int bytes;

  private Reply(WireCodec codec, String function, WireSchema.Peer peer, ByteBuf body,
      RpcException failure, Budget budget, long cost, int frameBytes) {
    this.codec = codec;
    this.peer = peer;
    this.function = function;
    this.body = body;
    this.failure = failure;
    this.budget = budget;
    this.cost = cost;
    this.bytes = frameBytes;
  }

  /** The reply frame's size as received, 0 for a failure (for observers). */
  public int bytes() {
    return bytes;
  }

  /** The failure's kind, or null for a value (for observers). */
  public RpcException.Kind kind() {
    return failure == null ? null : failure.kind();
  }

  /** An encoded value that holds {@code cost} bytes of {@code budget} until it is read. */
  public static Reply value(WireCodec codec, String function, WireSchema.Peer peer, ByteBuf body,
      int frameBytes, Budget budget, long cost) {
    return new Reply(codec, function, peer, body, null, budget, cost, frameBytes);
  }

  /** A reply that is a failure. */
  public static Reply failure(RpcException failure) {
    return new Reply(null, null, null, null, failure, null, 0, 0);
  }

  private void free(ByteBuf b) {
    b.release();
    if (budget != null) {
      budget.release(cost);
    }
  }

  /** Frees the encoded value, if any, without decoding it: nobody will read this reply. */
  public void discard() {
    ByteBuf b = body;
    body = null;
    if (b != null) {
      free(b);
    }
  }

  /**
   * Decodes the value (once) or throws the failure. Releases the encoded body.
   *
   * @throws RpcException the call's failure, or a {@code SerializationException}
   */
  public Object get() {
    if (failure != null) {
      throw failure;
    }
    ByteBuf b = body;
    body = null;
    if (b == null) {
      throw new IllegalStateException("reply of '" + function + "' read twice");
    }
    try {
      return codec.decodeValue(b, function, peer);
    } finally {
      free(b);
    }
  }
}
