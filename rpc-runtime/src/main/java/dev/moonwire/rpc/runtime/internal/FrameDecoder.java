package dev.moonwire.rpc.runtime.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into frames (a 4-byte length, then the body; the body is passed on).
 * Its limit starts small — {@code RpcConfig.HANDSHAKE_MAX_FRAME_BYTES} — and is raised to the
 * process's {@code maxFrameBytes} once the handshake is done, so a peer that has not proved
 * anything cannot make the process buffer a large frame. A frame over the limit is refused as
 * soon as its length is read. Each frame is a buffer of its own, exactly its size.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private static final int POOLED_FROM = 1024;
  private int limit;

  FrameDecoder(int limit) {
    this.limit = limit;
  }

  /** On the event loop: the handshake is done. */
  void raiseLimit(int limit) {
    this.limit = limit;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 4) {
      return;
    }
    int length = in.getInt(in.readerIndex());
    if (length < 0 || length > limit) {
      in.skipBytes(in.readableBytes());
      throw new TooLongFrameException("frame of " + Integer.toUnsignedLong(length)
          + " bytes (expected: at most " + limit + ")");
    }
    if (in.readableBytes() < 4 + length) {
      return;
    }
    in.skipBytes(4);
    // A copy, not a slice: a slice would keep the whole read buffer alive (many frames' worth)
    // for as long as this frame waits in a queue, which no byte count would see.
    if (length >= POOLED_FROM) {
      out.add(in.readBytes(length)); // pooled: no garbage per large frame
      return;
    }
    // For a small frame a heap array is the cheapest exact-size buffer: a TLAB allocation.
    byte[] frame = new byte[length];
    in.readBytes(frame);
    out.add(io.netty.buffer.Unpooled.wrappedBuffer(frame));
  }
}
