package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameDecoder} on an {@link EmbeddedChannel}: the frame limit at its edge before and
 * after the handshake, oversized frames of every kind skipped to the byte, malformed lengths, and
 * the bytes of a partly received frame told to its {@link FrameDecoder.Holding}.
 */
class FrameDecoderTest {
  private static final int LIMIT = 64;
  private final AtomicLong held = new AtomicLong();
  private final FrameDecoder decoder = new FrameDecoder(LIMIT, held::addAndGet);
  private final EmbeddedChannel channel = new EmbeddedChannel(decoder);

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** A frame of {@code length} body bytes: the kind, a call id if there is room, then 0x5A. */
  private static ByteBuf frame(int length, byte kind, long callId) {
    ByteBuf buf = Unpooled.buffer(4 + length);
    buf.writeInt(length);
    if (length > 0) {
      buf.writeByte(kind);
    }
    if (length >= 9) {
      buf.writeLong(callId);
    }
    while (buf.readableBytes() < 4 + length) {
      buf.writeByte(0x5A);
    }
    return buf;
  }

  private static ByteBuf ping(long nonce) {
    return Frames.withLong(ByteBufAllocator.DEFAULT, Frames.PING, nonce);
  }

  /** The next frame out of the channel, decoded and released. */
  private Message nextMessage() {
    Object out = channel.readInbound();
    if (!(out instanceof ByteBuf frame)) {
      return (Message) out;
    }
    try {
      return Frames.decode(frame);
    } finally {
      frame.release();
    }
  }

  @Test
  void aFrameOfExactlyTheLimit_isPassedOn_whole() {
    ByteBuf frame = frame(LIMIT, Frames.SEND, 1);
    byte[] body = ByteBufUtil.getBytes(frame, 4, LIMIT);

    channel.writeInbound(frame);

    ByteBuf out = channel.readInbound();
    try {
      assertEquals(Unpooled.wrappedBuffer(body), out);
    } finally {
      out.release();
    }
  }

  @Test
  void framesOfEverySize_arePassedOnExactly_smallAndPooled() {
    decoder.raiseLimit(4096);
    for (int length : new int[] {1, 1023, 1024, 4096}) {
      ByteBuf frame = frame(length, Frames.SEND, length);
      byte[] body = ByteBufUtil.getBytes(frame, 4, length);
      channel.writeInbound(frame);
      ByteBuf out = channel.readInbound();
      try {
        assertEquals(Unpooled.wrappedBuffer(body), out, length + " bytes");
        assertEquals(length, out.capacity(), "exactly its size: " + length);
      } finally {
        out.release();
      }
    }
  }

  @Test
  void aFrameOneOverTheLimit_beforeTheHandshake_isRefusedAsSoonAsItsLengthIsRead() {
    ByteBuf head = Unpooled.buffer().writeInt(LIMIT + 1);

    var e = assertThrows(TooLongFrameException.class, () -> channel.writeInbound(head));

    assertTrue(e.getMessage().contains("frame of 65 bytes (expected: at most 64)"),
        e.getMessage());
    assertEquals(0, held.get(), "nothing of it is held");
  }

  @Test
  void aLengthWithItsTopBitSet_isAHugeFrame_notANegativeOne() {
    ByteBuf head = Unpooled.buffer().writeInt(0xFFFF_FFFF).writeByte(Frames.PING);

    var e = assertThrows(TooLongFrameException.class, () -> channel.writeInbound(head));

    assertTrue(e.getMessage().contains("frame of 4294967295 bytes"), e.getMessage());
  }

  @Test
  void aFrameOfLengthZero_isPassedOn_andIsAProtocolErrorToDecode() {
    channel.writeInbound(Unpooled.buffer().writeInt(0));

    var e = assertThrows(ProtocolException.class, this::nextMessage);

    assertTrue(e.getMessage().contains("empty frame"), e.getMessage());
  }

  @Test
  void aLengthSplitAcrossReads_waitsForItsLastByte() {
    ByteBuf ping = ping(7);
    channel.writeInbound(ping.readRetainedSlice(3));
    assertNull(channel.readInbound());
    assertTrue(held.get() >= 3, "held " + held.get());

    channel.writeInbound(ping);

    assertEquals(new Message.Ping(7), nextMessage());
    assertEquals(0, held.get(), "a whole frame is no longer held");
  }

  @Test
  void afterTheHandshake_anOversizedFrameOfEveryKind_isNamedAndSkippedToTheByte() {
    decoder.raiseLimit(LIMIT);
    for (byte kind = 1; kind <= Frames.REQUEST_WITH_HEADERS; kind++) {
      boolean call = kind == Frames.REQUEST || kind == Frames.REQUEST_WITH_HEADERS
          || kind == Frames.REPLY;
      // the next frame right behind it, in the same read
      channel.writeInbound(Unpooled.wrappedBuffer(frame(200, kind, 77), ping(kind)));

      assertEquals(new Message.Oversized(kind, call ? 77 : 0, 200, LIMIT), nextMessage(),
          "kind " + kind);
      assertEquals(new Message.Ping(kind), nextMessage(), "the frame after kind " + kind);
    }
  }

  @Test
  void afterTheHandshake_theLimitIsTheRaisedOne() {
    decoder.raiseLimit(1000);
    channel.writeInbound(frame(1000, Frames.SEND, 1));
    ByteBuf out = channel.readInbound();
    assertEquals(1000, out.readableBytes());
    out.release();

    channel.writeInbound(frame(1001, Frames.REPLY, 5));
    assertEquals(new Message.Oversized(Frames.REPLY, 5, 1001, 1000), nextMessage());
  }

  @Test
  void afterTheHandshake_anOversizedFrame_isNamedOnceItsKindAndCallIdAreIn() {
    decoder.raiseLimit(LIMIT);
    ByteBuf big = frame(500, Frames.REQUEST, 99);
    channel.writeInbound(big.readRetainedSlice(12)); // length, kind, 7 of the 8 id bytes
    assertNull(channel.readInbound());

    channel.writeInbound(big.readRetainedSlice(1));

    assertEquals(new Message.Oversized(Frames.REQUEST, 99, 500, LIMIT), nextMessage());
    channel.writeInbound(big);
    channel.writeInbound(ping(3));
    assertEquals(new Message.Ping(3), nextMessage());
    assertEquals(0, held.get(), "skipped bytes are not held");
  }

  @Test
  void afterTheHandshake_anOversizedFrameTooShortForAKindAndCallId_isRefused() {
    // the smallest oversized frame that can be named is a kind and a call id: 9 bytes
    decoder.raiseLimit(4);
    channel.writeInbound(ping(1));
    assertEquals(new Message.Oversized(Frames.PING, 0, 9, 4), nextMessage());

    var e = assertThrows(TooLongFrameException.class,
        () -> channel.writeInbound(frame(8, Frames.PING, 0)));
    assertTrue(e.getMessage().contains("frame of 8 bytes (expected: at most 4)"), e.getMessage());
  }

  @Test
  void aPartlyReceivedFrame_isHeld_untilItIsWhole() {
    // what is counted is the memory that gathers the frame: at least its bytes
    ByteBuf frame = frame(50, Frames.SEND, 1);
    channel.writeInbound(frame.readRetainedSlice(30));
    assertTrue(held.get() >= 30, "held " + held.get());
    channel.writeInbound(frame.readRetainedSlice(10));
    assertTrue(held.get() >= 40, "held " + held.get());

    ByteBuf next = frame(LIMIT, Frames.SEND, 2);
    channel.writeInbound(Unpooled.wrappedBuffer(frame, next.readRetainedSlice(5)));
    next.release();

    assertTrue(held.get() >= 5, "the first whole, 5 bytes of the next: held " + held.get());
    ((ByteBuf) channel.readInbound()).release();
  }

  @Test
  void removingTheDecoder_givesBackWhatItHeld() {
    ByteBuf frame = frame(50, Frames.SEND, 1);
    channel.writeInbound(frame.readRetainedSlice(30));
    frame.release();
    assertTrue(held.get() >= 30, "held " + held.get());

    channel.pipeline().remove(decoder);

    assertEquals(0, held.get());
    ByteBuf passedOn = channel.readInbound(); // a removed decoder passes on what it had
    if (passedOn != null) {
      passedOn.release();
    }
  }
}
