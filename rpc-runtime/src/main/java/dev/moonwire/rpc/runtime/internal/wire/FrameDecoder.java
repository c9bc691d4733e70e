package dev.moonwire.rpc.runtime.internal.wire;

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
 *
 * <p>After the handshake, a frame over the limit costs only that frame: its kind and call id
 * are passed on as a {@link Message.Oversized}, so that one call fails, and its bytes are skipped as
 * they arrive, never held.
 *
 * <p>The memory a frame not yet whole holds here (the capacity of the buffer that gathers it,
 * not only the bytes in it) is told to a {@link Holding} as it changes, so the process can
 * count it against a budget like any other bytes a peer gave it.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  private static final int POOLED_FROM = 1024;
  /** Length, kind and call id: what is read of an oversized frame. */
  private static final int OVERSIZED_HEAD = 4 + 1 + 8;
  private int limit;
  private boolean raised;
  private long skipping; // bytes of an oversized frame still to skip
  private final Holding holding;
  private long held; // bytes of a partly received frame, as last told to holding

  /** Told how many more (or, negative, fewer) bytes of a partly received frame are held. */
  @FunctionalInterface
  public interface Holding {
    void changed(long deltaBytes);
  }

  public FrameDecoder(int limit) {
    this(limit, delta -> { });
  }

  public FrameDecoder(int limit, Holding holding) {
    this.limit = limit;
    this.holding = holding;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    try {
      super.channelRead(ctx, msg);
    } finally {
      ByteBuf cumulation = internalBuffer();
      hold(cumulation == null || !cumulation.isReadable() ? 0 : cumulation.capacity());
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    hold(0);
  }

  /** True while part of a frame has arrived and the rest has not. */
  public boolean midFrame() {
    return held > 0;
  }

  private void hold(long bytes) {
    long delta = bytes - held;
    if (delta != 0) {
      held = bytes;
      holding.changed(delta);
    }
  }

  /** On the event loop: the handshake is done. */
  public void raiseLimit(int limit) {
    this.limit = limit;
    this.raised = true;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (skipping > 0) {
      int n = (int) Math.min(skipping, in.readableBytes());
      in.skipBytes(n);
      skipping -= n;
      if (skipping > 0) {
        return;
      }
    }
    if (in.readableBytes() < 4) {
      return;
    }
    long length = Integer.toUnsignedLong(in.getInt(in.readerIndex()));
    if (length > limit) {
      if (raised && length >= OVERSIZED_HEAD - 4) {
        if (in.readableBytes() < OVERSIZED_HEAD) {
          return;
        }
        in.skipBytes(4);
        byte kind = in.readByte();
        boolean call = kind == Frames.REQUEST || kind == Frames.REQUEST_WITH_HEADERS
            || kind == Frames.REPLY;
        long callId = call ? in.readLong() : 0;
        skipping = length - (call ? 9 : 1);
        out.add(new Message.Oversized(kind, callId, length, limit));
        return;
      }
      in.skipBytes(in.readableBytes());
      throw new TooLongFrameException("frame of " + length + " bytes (expected: at most "
          + limit + ")");
    }
    if (in.readableBytes() < 4 + length) {
      return;
    }
    in.skipBytes(4);
    int size = (int) length;
    // A copy, not a slice: a slice would keep the whole read buffer alive (many frames' worth)
    // for as long as this frame waits in a queue, which no byte count would see.
    if (size >= POOLED_FROM) {
      out.add(in.readBytes(size)); // pooled: no garbage per large frame
      return;
    }
    // For a small frame a heap array is the cheapest exact-size buffer: a TLAB allocation.
    byte[] frame = new byte[size];
    in.readBytes(frame);
    out.add(io.netty.buffer.Unpooled.wrappedBuffer(frame));
  }
}
