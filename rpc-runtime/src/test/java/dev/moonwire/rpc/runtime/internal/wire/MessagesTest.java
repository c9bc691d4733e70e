package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol alone, on an {@link EmbeddedChannel} and without a process: frames in,
 * typed messages out, for every kind of frame.
 */
class MessagesTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(64 * 1024));
  private final WireSerializer codec =
      new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** Writes {@code frame} to the channel and decodes what comes out, releasing the frame. */
  private Message roundTrip(ByteBuf frame) {
    channel.writeInbound(frame);
    Object out = channel.readInbound();
    if (out instanceof Message m) {
      return m;
    }
    ByteBuf read = (ByteBuf) out;
    try {
      Message m = Frames.decode(read);
      return switch (m) {
        // the payload lives in the frame: copy it before the frame goes
        case Message.Request r -> new Message.Request(r.callId(), r.deadlineMillis(),
            r.function(), -1, Unpooled.copiedBuffer(r.payload()), r.frameBytes());
        case Message.Send s -> new Message.Send(s.function(), Unpooled.copiedBuffer(s.payload()),
            s.frameBytes());
        case Message.Reply r -> new Message.Reply(r.callId(), Unpooled.copiedBuffer(r.payload()),
            r.frameBytes());
        default -> m;
      };
    } finally {
      read.release();
    }
  }

  @Test
  void everyKindOfFrame_becomesItsMessage() {
    ProcessId self = ProcessId.of("10.0.0.7", 4100);
    byte[] nonce = Handshake.nonce();
    var hello = (Message.Hello) roundTrip(Frames.hello(ALLOC, self, nonce, new byte[] {1, 2},
        -3));
    assertEquals(self, hello.id());
    assertArrayEquals(nonce, hello.nonce());
    assertArrayEquals(new byte[] {1, 2}, hello.proof());
    assertEquals(-3, hello.incarnation());
    assertArrayEquals(new byte[] {9},
        ((Message.Auth) roundTrip(Frames.auth(ALLOC, new byte[] {9}))).proof());
    var shapes = List.of(WireSchema.of(7777, Thread.State.class));
    var schema = (Message.Schema) roundTrip(WireSchema.encode(ALLOC, shapes));
    assertEquals(shapes.get(0).describe(), schema.shapes().get(0).describe());
    assertEquals(new Message.Cancel(5), roundTrip(Frames.withLong(ALLOC, Frames.CANCEL, 5)));
    assertEquals(new Message.Ping(6), roundTrip(Frames.withLong(ALLOC, Frames.PING, 6)));
    assertEquals(new Message.Pong(7), roundTrip(Frames.withLong(ALLOC, Frames.PONG, 7)));
    assertEquals(new Message.GoAway(), roundTrip(Frames.goAway(ALLOC)));

    var error = (Message.Failure) roundTrip(Frames.error(ALLOC, 8,
        RpcException.Kind.REMOTE_INVOCATION, "no", "java.lang.IllegalStateException", "at x"));
    assertEquals(8, error.callId());
    var e = assertInstanceOf(RemoteInvocationException.class, error.toException("f"));
    assertEquals("java.lang.IllegalStateException", e.remoteClass());
    assertEquals("no", e.remoteMessage());
  }

  @Test
  void callsAndReplies_carryTheirPayloads() {
    var request = (Message.Request) roundTrip(
        codec.encodeCall(ALLOC, Frames.REQUEST, 11, 2500, "sum", new Object[] {1, 2L}));
    assertEquals(11, request.callId());
    assertEquals(2500, request.deadlineMillis());
    assertEquals("sum", request.function());
    assertArrayEquals(new Object[] {1, 2L}, decode(request.payload()));

    var send = (Message.Send) roundTrip(
        codec.encodeCall(ALLOC, Frames.SEND, 0, 0, "note", new Object[] {"hi"}));
    assertEquals("note", send.function());
    assertArrayEquals(new Object[] {"hi"}, decode(send.payload()));

    var reply = (Message.Reply) roundTrip(codec.encodeReply(ALLOC, 12, "sum", 3L));
    assertEquals(12, reply.callId());
    try {
      assertEquals(3L, codec.decodeValue(reply.payload(), "sum", null));
    } finally {
      reply.payload().release();
    }
  }

  private Object[] decode(ByteBuf payload) {
    try {
      return codec.decodeArgs(payload, "f", null);
    } finally {
      payload.release();
    }
  }

  @Test
  void aFrameSplitAcrossReads_isOneMessage() {
    ByteBuf frame = Frames.withLong(ALLOC, Frames.PING, 42);
    channel.writeInbound(frame.readRetainedSlice(3));
    assertNull(channel.readInbound(), "half a frame is no message");
    channel.writeInbound(frame);

    ByteBuf read = channel.readInbound();
    try {
      assertEquals(new Message.Ping(42), Frames.decode(read));
    } finally {
      read.release();
    }
  }

  @Test
  void anOversizedFrameAfterTheHandshake_isNamedAndSkipped_theNextOneReads() {
    channel.pipeline().get(FrameDecoder.class).raiseLimit(1024);
    ByteBuf big = codec.encodeCall(ALLOC, Frames.REQUEST, 99, 1000, "big",
        new Object[] {new byte[5000]});
    int length = big.readableBytes() - 4;
    // the oversized frame arrives in pieces, the next frame right behind its last piece
    channel.writeInbound(big.readRetainedSlice(20));
    assertEquals(new Message.Oversized(Frames.REQUEST, 99, length, 1024),
        channel.readInbound());
    channel.writeInbound(big.readRetainedSlice(3000));
    assertNull(channel.readInbound());

    channel.writeInbound(Unpooled.wrappedBuffer(big, Frames.withLong(ALLOC, Frames.PING, 1)));

    ByteBuf next = channel.readInbound();
    try {
      assertEquals(new Message.Ping(1), Frames.decode(next));
    } finally {
      next.release();
    }
  }

  @Test
  void malformedFrames_areProtocolErrors() {
    assertThrows(ProtocolException.class, () -> Frames.decode(Unpooled.buffer(0)));
    assertThrows(ProtocolException.class,
        () -> Frames.decode(Unpooled.wrappedBuffer(new byte[] {77})));
    assertThrows(ProtocolException.class, // a REQUEST cut short in its call id
        () -> Frames.decode(Unpooled.wrappedBuffer(new byte[] {Frames.REQUEST, 0, 0})));
  }
}
