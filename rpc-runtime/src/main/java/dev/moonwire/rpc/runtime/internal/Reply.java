package dev.moonwire.rpc.runtime.internal;

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
  private ByteBuf body;
  private final RpcException failure;

  private Reply(WireCodec codec, String function, ByteBuf body, RpcException failure) {
    this.codec = codec;
    this.function = function;
    this.body = body;
    this.failure = failure;
  }

  static Reply value(WireCodec codec, String function, ByteBuf body) {
    return new Reply(codec, function, body, null);
  }

  /** A reply that is a failure. */
  public static Reply failure(RpcException failure) {
    return new Reply(null, null, null, failure);
  }

  /** Frees the encoded value, if any, without decoding it: nobody will read this reply. */
  public void discard() {
    ByteBuf b = body;
    body = null;
    if (b != null) {
      b.release();
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
      return codec.decodeValue(b, function);
    } finally {
      b.release();
    }
  }
}
