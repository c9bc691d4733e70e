package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * A whole frame on its way to a peer (length prefix included), with what it is: its kind, known
 * when it was made, and for a SEND the function it calls. A connection's queue, its budgets and
 * its reports go by these, never by reading the frame's bytes again. Owns its buffer until it
 * is written or {@link #release}d.
 *
 * @param kind one of {@link Frames}' kinds
 * @param function for a SEND, the function it calls (what a failed send is reported by); null
 *     for every other kind
 */
public record OutFrame(ByteBuf bytes, byte kind, String function) {
  /** Its size on the wire, what it costs while it waits. */
  public int size() {
    return bytes.readableBytes();
  }

  /**
   * Whether it is new work of this process — a call or a one-way send — counted in the outbound
   * budget and refused beyond it.
   */
  public boolean newWork() {
    return kind == Frames.REQUEST || kind == Frames.REQUEST_WITH_HEADERS || kind == Frames.SEND;
  }

  /** Whether it answers something the peer sent ({@link Frames#answers}). */
  public boolean answers() {
    return Frames.answers(kind);
  }

  public void release() {
    bytes.release();
  }

  /** A call or a one-way send that {@link WireSerializer} encoded for {@code function}. */
  static OutFrame call(ByteBuf bytes, String function) {
    byte kind = Frames.kindOf(bytes);
    return new OutFrame(bytes, kind, kind == Frames.SEND ? function : null);
  }

  static OutFrame reply(ByteBuf bytes) {
    return new OutFrame(bytes, Frames.REPLY, null);
  }

  public static OutFrame error(ByteBufAllocator alloc, long callId, RpcException.Kind kind,
      String message, String remoteClass, String remoteStack) {
    return new OutFrame(Frames.error(alloc, callId, kind, message, remoteClass, remoteStack),
        Frames.ERROR, null);
  }

  public static OutFrame cancel(ByteBufAllocator alloc, long callId) {
    return new OutFrame(Frames.withLong(alloc, Frames.CANCEL, callId), Frames.CANCEL, null);
  }

  public static OutFrame ping(ByteBufAllocator alloc, long nonce) {
    return new OutFrame(Frames.withLong(alloc, Frames.PING, nonce), Frames.PING, null);
  }

  public static OutFrame pong(ByteBufAllocator alloc, long nonce) {
    return new OutFrame(Frames.withLong(alloc, Frames.PONG, nonce), Frames.PONG, null);
  }

  public static OutFrame goAway(ByteBufAllocator alloc) {
    return new OutFrame(Frames.goAway(alloc), Frames.GOAWAY, null);
  }

  /** Shapes of classes registered after the handshake. */
  public static OutFrame schema(ByteBufAllocator alloc, List<WireSchema.Shape> shapes) {
    return new OutFrame(WireSchema.encode(alloc, shapes), Frames.SCHEMA, null);
  }
}
