package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SerializationException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link WireSerializer} and {@link WireCodec}: the frame limit at its edge, classes registered
 * after a serializer was made, the errors a user reads, and values read by a peer's shapes.
 */
class WireSerializerTest {
  record Point(int x, String label) {}

  enum Colour { RED, GREEN }

  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final ProcessId PEER = ProcessId.of("peer.example", 7000);

  private static WireRegistry registry(Class<?>... classes) {
    return new WireRegistry(List.of(classes), WireKryo.BUILT_IN);
  }

  /** The payload of a REQUEST frame: past its length, kind, call id, deadline and function. */
  private static ByteBuf payload(ByteBuf frame) {
    frame.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1 + 16);
    Frames.readShortString(frame);
    return frame;
  }

  private static Object decodeReply(WireSerializer in, ByteBuf reply) {
    try {
      reply.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1 + 8);
      return in.decodeValue(reply, "f", null);
    } finally {
      reply.release();
    }
  }

  private static Object[] decodeCall(WireSerializer in, ByteBuf request,
      WireSchema.Peer peer) {
    try {
      return in.decodeArgs(payload(request), "f", peer);
    } finally {
      request.release();
    }
  }

  @Test
  void aFrameOfExactlyMaxFrameBytes_isSent_oneByteMoreIsRefusedAtTheCaller() {
    WireSerializer s = new WireSerializer(registry(), 1000);
    ByteBuf probe = s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[] {new byte[500]});
    int fill = 500 + 1000 - (probe.readableBytes() - Frames.LENGTH_PREFIX_BYTES);
    probe.release();

    ByteBuf exact = s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[] {new byte[fill]});
    assertEquals(1000, exact.readableBytes() - Frames.LENGTH_PREFIX_BYTES);
    exact.release();

    var e = assertThrows(SerializationException.class, () -> s.encodeCall(ALLOC, Frames.REQUEST,
        1, 1, "f", new Object[] {new byte[fill + 1]}));
    assertTrue(e.getMessage().contains("frame for 'f' is over maxFrameBytes (1000 bytes)"),
        e.getMessage());
  }

  @Test
  void argumentsOrAResultLargerThanMaxFrameBytes_areRefused_andTheSerializerGoesOn() {
    WireSerializer s = new WireSerializer(registry(), 1000);

    var call = assertThrows(SerializationException.class,
        () -> s.encodeCall(ALLOC, Frames.SEND, 0, 0, "big", new Object[] {new byte[5000]}));
    var reply = assertThrows(SerializationException.class,
        () -> s.encodeReply(ALLOC, 1, "big", new byte[5000]));

    assertTrue(call.getMessage().contains("'big' is over maxFrameBytes (1000 bytes)"));
    assertTrue(reply.getMessage().contains("'big' is over maxFrameBytes (1000 bytes)"));
    assertEquals("small", decodeReply(s, s.encodeReply(ALLOC, 1, "f", "small")));
  }

  @Test
  void aRefusedValue_leavesNoLargeEncodeBufferBehind() throws Exception {
    // a limit over the 64 KiB kept: the buffer grew to the limit before the value was refused
    WireSerializer s = new WireSerializer(registry(), 200_000);
    Output output = (Output) field(s, "output");

    assertThrows(SerializationException.class,
        () -> s.encodeCall(ALLOC, Frames.SEND, 0, 0, "big", new Object[] {new byte[300_000]}));
    assertTrue(output.getBuffer().length <= 64 * 1024, "after a call");

    assertThrows(SerializationException.class,
        () -> s.encodeReply(ALLOC, 1, "big", new byte[300_000]));
    assertTrue(output.getBuffer().length <= 64 * 1024, "after a reply");
  }

  @Test
  void classesRegisteredAfterTheSerializerWasMade_areWrittenAndRead() {
    WireRegistry registry = registry();
    WireSerializer caller = new WireSerializer(registry, 1 << 20);
    WireSerializer callee = new WireSerializer(registry, 1 << 20);
    WireSerializer replier = new WireSerializer(registry, 1 << 20);
    WireSerializer replyReader = new WireSerializer(registry, 1 << 20);

    registry.add(List.of(Point.class));

    Point p = new Point(1, "a");
    assertArrayEquals(new Object[] {p}, decodeCall(callee,
        caller.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[] {p}), null));
    assertEquals(p, decodeReply(replyReader, replier.encodeReply(ALLOC, 1, "f", p)));
  }

  @Test
  void aCallOfNoArguments_readsBackAsNone() {
    WireSerializer s = new WireSerializer(registry(), 1 << 20);

    assertArrayEquals(new Object[0], decodeCall(s,
        s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[0]), null));
  }

  @Test
  void aSend_carriesNoHeaders_evenIfGivenSome() {
    WireSerializer s = new WireSerializer(registry(), 1 << 20);

    ByteBuf frame = s.encodeCall(ALLOC, Frames.SEND, 0, 0, "f", new Object[] {1},
        new CallHeaders().put("k", "v"));

    try {
      frame.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      var send = (Message.Send) Frames.decode(frame);
      assertArrayEquals(new Object[] {1}, s.decodeArgs(send.payload(), "f", null));
    } finally {
      frame.release();
    }
  }

  @Test
  void emptyHeaders_makeAPlainRequest() {
    WireSerializer s = new WireSerializer(registry(), 1 << 20);

    ByteBuf frame = s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[0],
        new CallHeaders());

    assertEquals(Frames.REQUEST, frame.getByte(Frames.LENGTH_PREFIX_BYTES));
    frame.release();
  }

  @Test
  void anUnregisteredClass_isNamedWithHowToRegisterIt_inACallAndInAReply() {
    WireSerializer s = new WireSerializer(registry(), 1 << 20);
    String how = "RpcConfig.register(" + Point.class.getName() + ".class) on both processes";

    var call = assertThrows(SerializationException.class, () -> s.encodeCall(ALLOC,
        Frames.REQUEST, 1, 1, "draw", new Object[] {new Point(1, "a")}));
    var reply = assertThrows(SerializationException.class,
        () -> s.encodeReply(ALLOC, 1, "draw", new Point(1, "a")));

    assertTrue(call.getMessage().contains("cannot send argument 0 of 'draw'"), call.getMessage());
    assertTrue(call.getMessage().contains(how), call.getMessage());
    assertTrue(reply.getMessage().contains("cannot send the result of 'draw'"),
        reply.getMessage());
    assertTrue(reply.getMessage().contains(how), reply.getMessage());
  }

  @Test
  void anArgumentCountPastTheBytes_isRefused() {
    WireSerializer s = new WireSerializer(registry(), 1 << 20);
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {5, 0});

    var e = assertThrows(SerializationException.class, () -> s.decodeArgs(buf, "f", null));

    assertTrue(e.getMessage().contains("arguments of 'f' : count 5 in 2 bytes"), e.getMessage());
  }

  @Test
  void failure_keepsTheInnermostMessage_withoutKryosTrace_andOnlyAJdkCause() {
    assertEquals("x: KryoException",
        WireSerializer.failure("x", new KryoException((String) null)).getMessage());
    assertEquals("x: boom", WireSerializer.failure("x",
        new KryoException("boom\nSerialization trace:\nfield (Point)")).getMessage());

    var jdk = WireSerializer.failure("x",
        new KryoException("outer", new IllegalStateException("root")));
    assertEquals("x: root", jdk.getMessage());
    assertInstanceOf(IllegalStateException.class, jdk.getCause());
    assertNull(WireSerializer.failure("x", new KryoException("k")).getCause());
  }

  // --- values by a peer's shapes ---

  private byte[] payload(Class<?> type, Consumer<Output> body) {
    Output o = new Output(64, -1);
    o.writeVarInt(1, true);
    o.writeVarInt(WireRegistry.idOf(type) + 2, true);
    body.accept(o);
    return o.toBytes();
  }

  private static Object decode(WireSerializer s, byte[] payload, WireSchema.Peer peer) {
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    return s.decodeArgs(buf, "f", peer)[0];
  }

  private static WireSchema.Peer peerWith(Class<?> type, byte kind, List<String> names,
      List<String> types) {
    return WireSchema.Peer.of(PEER, List.of(new WireSchema.Shape(WireRegistry.idOf(type),
        type.getName(), kind, names, types)));
  }

  @Test
  void anEnumOrdinal_pastItsConstants_isRefused() {
    WireSerializer s = new WireSerializer(registry(Colour.class), 1 << 20);

    assertEquals(Colour.RED, decode(s, payload(Colour.class, o -> o.writeVarInt(0, true)),
        null));
    assertEquals(Colour.GREEN, decode(s, payload(Colour.class, o -> o.writeVarInt(1, true)),
        null));
    var e = assertThrows(SerializationException.class,
        () -> decode(s, payload(Colour.class, o -> o.writeVarInt(2, true)), null));
    assertTrue(e.getMessage().contains("ordinal 2 from the peer (expected: < 2)"),
        e.getMessage());
  }

  @Test
  void anEnumOrdinal_isReadByThePeersConstants_andOnlyThose() {
    WireSerializer s = new WireSerializer(registry(Colour.class), 1 << 20);
    WireSchema.Peer peer = peerWith(Colour.class, WireSchema.ENUM,
        List.of("GREEN", "RED", "BLUE"), List.of("", "", ""));

    assertEquals(Colour.GREEN, decode(s, payload(Colour.class, o -> o.writeVarInt(0, true)),
        peer));
    var past = assertThrows(SerializationException.class,
        () -> decode(s, payload(Colour.class, o -> o.writeVarInt(3, true)), peer));
    assertTrue(past.getMessage().contains("ordinal 3 from " + PEER
        + " is not one of its constants"), past.getMessage());
    var unknown = assertThrows(SerializationException.class,
        () -> decode(s, payload(Colour.class, o -> o.writeVarInt(2, true)), peer));
    assertTrue(unknown.getMessage().contains("constant BLUE of " + PEER + " is unknown here"),
        unknown.getMessage());
  }

  @Test
  void aRecordFromAPeerWithoutAPrimitiveComponent_getsItsDefault() {
    WireSerializer s = new WireSerializer(registry(Point.class), 1 << 20);
    WireKryo kryo = new WireKryo(null);
    WireSchema.Peer peer = peerWith(Point.class, WireSchema.RECORD, List.of("label"),
        List.of("java.lang.String"));

    byte[] payload = payload(Point.class, o -> {
      o.writeVarInt(1, true);
      kryo.writeClassAndObject(o, "hello");
    });

    assertEquals(new Point(0, "hello"), decode(s, payload, peer));
    assertEquals(new Point(0, "hello"), decode(s, payload, peer), "again, by the plan made once");
    // a reply's value likewise: the payload less its argument count
    ByteBuf value = Unpooled.wrappedBuffer(payload, 1, payload.length - 1);
    assertEquals(new Point(0, "hello"), s.decodeValue(value, "f", peer));
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    var f = owner.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(owner);
  }

  @Test
  void betweenFrames_aSerializerKeepsNothingOfTheLastOne_norMoreThanItsSmallBuffers()
      throws Exception {
    WireSerializer s = new WireSerializer(registry(Point.class), 1 << 20);
    WireSchema.Peer peer = peerWith(Point.class, WireSchema.RECORD, List.of("label"),
        List.of("java.lang.String"));
    String large = "é".repeat(50_000);
    var chars = com.esotericsoftware.kryo.io.Input.class.getDeclaredField("chars");
    chars.setAccessible(true);
    BoundedInput input = (BoundedInput) field(s, "input");
    Output output = (Output) field(s, "output");
    WireKryo kryo = (WireKryo) field(s, "kryo");

    // 40 KB of output: what the encode buffer grows to is kept, up to 64 KiB
    ByteBuf medium = s.encodeReply(ALLOC, 1, "f", new byte[40_000]);
    byte[] kept = output.getBuffer();
    assertEquals(64 * 1024, kept.length);
    medium.release();
    assertEquals(kept, output.getBuffer());

    ByteBuf call = s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[] {large});
    assertTrue(output.getBuffer().length <= 64 * 1024, "a large call's buffer is not kept");
    ByteBuf reply = s.encodeReply(ALLOC, 1, "f", large);
    assertTrue(output.getBuffer().length <= 64 * 1024, "a large reply's buffer is not kept");
    try {
      assertEquals(large, s.decodeArgs(payload(call), "f", peer)[0]);
      assertEquals(0, input.getByteBuffer().capacity(), "the frame is let go");
      assertTrue(((char[]) chars.get(input)).length <= 1024, "the string's chars are let go");
      assertNull(kryo.peer(), "the peer's schema is let go");

      reply.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1 + 8);
      assertEquals(large, s.decodeValue(reply, "f", peer));
      assertEquals(0, input.getByteBuffer().capacity(), "the frame is let go");
      assertTrue(((char[]) chars.get(input)).length <= 1024, "the string's chars are let go");
      assertNull(kryo.peer(), "the peer's schema is let go");
    } finally {
      call.release();
      reply.release();
    }
  }

  @Test
  void aRecordWhoseFirstComponentChangedType_isRefusedNamingBothTypes() {
    WireSerializer s = new WireSerializer(registry(Point.class), 1 << 20);
    WireKryo kryo = new WireKryo(null);
    WireSchema.Peer peer = peerWith(Point.class, WireSchema.RECORD, List.of("x", "label"),
        List.of("long", "java.lang.String"));

    var e = assertThrows(SerializationException.class, () -> decode(s, payload(Point.class,
        o -> {
          o.writeVarInt(2, true);
          kryo.writeClassAndObject(o, 5L);
          kryo.writeClassAndObject(o, "a");
        }), peer));

    assertTrue(e.getMessage().contains("component 'x' is a long at " + PEER + " and a int here"),
        e.getMessage());
  }

  @Test
  void aCodec_roundTripsOnTheProcessThreadAndOnAnyOther() throws Exception {
    for (boolean owner : new boolean[] {true, false}) {
      WireCodec codec = new WireCodec(() -> owner, registry(Point.class), 1 << 20);
      Point p = new Point(3, "c");

      ByteBuf call = codec.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[] {p}).bytes();
      try {
        assertArrayEquals(new Object[] {p}, codec.decodeArgs(payload(call), "f", null));
      } finally {
        call.release();
      }
      ByteBuf reply = codec.encodeReply(ALLOC, 1, "f", p).bytes();
      try {
        reply.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1 + 8);
        assertEquals(p, codec.decodeValue(reply, "f", null));
      } finally {
        reply.release();
      }
    }
  }

  @Test
  void aCodec_namesItsProcess_inWhatItCannotRead() throws Exception {
    WireSerializer sender = new WireSerializer(registry(Point.class), 1 << 20);
    for (boolean owner : new boolean[] {true, false}) {
      WireCodec codec = new WireCodec(() -> owner, registry(), 1 << 20);
      codec.self(ProcessId.of("me.example", 1));
      ByteBuf call = sender.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f",
          new Object[] {new Point(1, "a")});
      ByteBuf reply = sender.encodeReply(ALLOC, 1, "f", new Point(1, "a"));
      try {
        var e = assertThrows(SerializationException.class,
            () -> codec.decodeArgs(payload(call), "f", null));
        assertTrue(e.getMessage().contains("is not registered in process me.example:1"),
            e.getMessage());
        reply.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1 + 8);
        var r = assertThrows(SerializationException.class,
            () -> codec.decodeValue(reply, "f", null));
        assertTrue(r.getMessage().contains("is not registered in process me.example:1"),
            r.getMessage());
      } finally {
        call.release();
        reply.release();
      }
      // a thread outside the process borrows a serializer of its own
      if (!owner) {
        ByteBuf frame = CompletableFuture.supplyAsync(
            () -> codec.encodeCall(ALLOC, Frames.SEND, 0, 0, "f", new Object[] {1}).bytes()).get();
        frame.release();
      }
    }
  }
}
