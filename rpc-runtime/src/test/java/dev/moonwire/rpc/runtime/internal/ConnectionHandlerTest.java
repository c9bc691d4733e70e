package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.wire.Message;

import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.runtime.internal.transport.ConnectionHandler;
import dev.moonwire.rpc.runtime.internal.transport.HandshakeHandler;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Handshake;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;

import dev.moonwire.rpc.testing.ProcessTestSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection pipeline on an {@link EmbeddedChannel}: handshake, heartbeats, bad input. */
class ConnectionHandlerTest extends ProcessTestSupport {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private RuntimeProcess process;
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    process = (RuntimeProcess) open();
    channel = new EmbeddedChannel();
    ChannelConnection conn = new ChannelConnection(process, channel);
    channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(1024 + 4, 0, 4, 0, 4));
    channel.pipeline().addLast(handlers(conn));
  }

  /** The handlers of an inbound connection, as Connections sets them up after the decoder. */
  private static io.netty.channel.ChannelHandler[] handlers(ChannelConnection conn) {
    return new io.netty.channel.ChannelHandler[] {
        new HandshakeHandler(conn, false), new ConnectionHandler(conn, false)};
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf hello(ProcessId from) {
    return Frames.hello(ALLOC, from, Handshake.nonce(), new byte[0], 7);
  }

  /** Says HELLO and SCHEMA as 127.0.0.1:1, and takes the server's two. */
  private void handshake() {
    channel.writeInbound(hello(ProcessId.of("127.0.0.1", 1)));
    readFrame().release();
    readFrame().release();
    channel.writeInbound(WireSchema.encode(ALLOC, java.util.List.of()));
  }

  private ByteBuf readFrame() {
    ByteBuf out = channel.readOutbound();
    if (out != null) {
      out.skipBytes(4);
    }
    return out;
  }

  @Test
  void hello_isAnsweredWithOwnHello() {
    channel.writeInbound(hello(ProcessId.of("10.0.0.1", 4000)));

    ByteBuf reply = readFrame();
    try {
      assertEquals(Frames.HELLO, reply.readByte());
      assertEquals(process.id(), Frames.readHello(reply).id());
    } finally {
      reply.release();
    }
    assertTrue(channel.isActive());
  }

  @Test
  void aPeerWhoseSchemaGrowsPastMaxFrameBytes_isDisconnected() {
    RuntimeProcess small = (RuntimeProcess) open(
        dev.moonwire.rpc.RpcConfig.defaults().withMaxFrameBytes(64 * 1024));
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4));
    ch.pipeline().addLast(handlers(new ChannelConnection(small, ch)));
    ch.writeInbound(hello(ProcessId.of("10.0.0.1", 4000)));
    ch.writeInbound(WireSchema.encode(ALLOC, java.util.List.of()));
    // SCHEMA frames that each fit, adding classes until they hold more than 64 KiB in all
    String field = "f".repeat(200);
    int id = 5000;
    for (int frame = 0; frame < 40 && ch.isActive(); frame++) {
      var shapes = new java.util.ArrayList<WireSchema.Shape>();
      for (int i = 0; i < 10; i++) {
        shapes.add(new WireSchema.Shape(id++, "peer.Class" + id, WireSchema.FIELDS,
            java.util.List.of(field), java.util.List.of("java.lang.String")));
      }
      ch.writeInbound(WireSchema.encode(ALLOC, shapes));
    }

    assertFalse(ch.isActive(), "still connected after 40 frames of 10 classes of ~230 bytes");
    ch.finishAndReleaseAll();
  }

  @Test
  void schemaFramesOneShapeEach_costWhatTheyAdd_notWhatIsKnown() {
    handshake();
    int[] id = {5000};
    Runnable oneFrame = () -> channel.writeInbound(
        WireSchema.encode(ALLOC, java.util.List.of(shape(id[0]++))));
    for (int frame = 0; frame < 1_000; frame++) {
      oneFrame.run();
    }
    long early = allocatedPerCall(oneFrame, 200);
    for (int frame = 0; frame < 10_000; frame++) {
      oneFrame.run();
    }
    long late = allocatedPerCall(oneFrame, 200);

    assertTrue(channel.isActive());
    // a view copied per frame costs ~40 bytes per shape known: +400 KB per frame by now
    assertTrue(late < 2 * early + 16 * 1024, "bytes allocated per SCHEMA frame: " + early
        + " with 1,000 shapes known, " + late + " with 11,200");
  }

  private static long allocatedPerCall(Runnable action, int times) {
    var threads = (com.sun.management.ThreadMXBean)
        java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < times; i++) {
      action.run();
    }
    return (threads.getCurrentThreadAllocatedBytes() - before) / times;
  }

  @Test
  void aPeerTellingMoreShapesThanTheBound_isDisconnected() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4));
    ch.pipeline().addLast(handlers(new ChannelConnection(process, ch)));
    ch.writeInbound(hello(ProcessId.of("10.0.0.1", 4000)));
    ch.writeInbound(WireSchema.encode(ALLOC, java.util.List.of()));
    int id = 5000;
    int frames = WireSchema.Peer.MAX_SHAPES / 1000 + 2;
    int sent = 0;
    for (int frame = 0; frame < frames && ch.isActive(); frame++) {
      var shapes = new java.util.ArrayList<WireSchema.Shape>();
      for (int i = 0; i < 1000; i++) {
        shapes.add(shape(id++));
      }
      ch.writeInbound(WireSchema.encode(ALLOC, shapes));
      sent += 1000;
    }

    assertFalse(ch.isActive(), "still connected after " + sent + " shapes");
    assertTrue(sent > WireSchema.Peer.MAX_SHAPES, "closed early, after " + sent);
    ch.finishAndReleaseAll();
  }

  private static WireSchema.Shape shape(int id) {
    return new WireSchema.Shape(id, "p.C" + id, WireSchema.FIELDS, java.util.List.of("a"),
        java.util.List.of("int"));
  }

  @Test
  void frameBeforeThePeersSchema_closesTheConnection_schemaOpensIt() {
    for (boolean schemaFirst : new boolean[] {false, true}) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1024 + 4, 0, 4, 0, 4));
    ch.pipeline().addLast(handlers(new ChannelConnection(process, ch)));
      ch.writeInbound(hello(ProcessId.of("10.0.0.1", 4000)));
      ByteBuf hello = ch.readOutbound();
      assertEquals(Frames.HELLO, hello.getByte(4));
      hello.release();
      ByteBuf schema = ch.readOutbound();
      assertEquals(Frames.SCHEMA, schema.getByte(4), "the server's shapes follow its HELLO");
      schema.release();
      if (schemaFirst) {
        ch.writeInbound(WireSchema.encode(ALLOC, java.util.List.of()));
      }
      ch.writeInbound(Frames.withLong(ALLOC, Frames.PING, 5));
      assertEquals(schemaFirst, ch.isActive());
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void firstFrameNotHello_closesTheConnection() {
    channel.writeInbound(Frames.withLong(ALLOC, Frames.PING, 1));

    assertFalse(channel.isActive());
    assertNull(channel.readOutbound());
  }

  @Test
  void sharedSecret_requestBeforeAuth_closesTheConnection_rightProofOpensIt() {
    RuntimeProcess guarded = (RuntimeProcess) open(
        dev.moonwire.rpc.RpcConfig.defaults().withSecret("s3cret"));
    byte[] secret = "s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (boolean honest : new boolean[] {false, true}) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1024 + 4, 0, 4, 0, 4));
    ch.pipeline().addLast(handlers(new ChannelConnection(guarded, ch)));
      byte[] clientNonce = Handshake.nonce();
      ch.writeInbound(Frames.hello(ALLOC, ProcessId.of("127.0.0.1", 1), clientNonce,
          new byte[0], 7));
      ByteBuf reply = ch.readOutbound();
      reply.skipBytes(5);
      Message.Hello hello = Frames.readHello(reply);
      reply.release();
      assertTrue(Handshake.matches(
          Handshake.serverProof(secret, clientNonce, hello.nonce()), hello.proof()));

      if (honest) {
        ch.writeInbound(Frames.auth(ALLOC,
            Handshake.clientProof(secret, clientNonce, hello.nonce())));
        ByteBuf schema = ch.readOutbound();
        assertEquals(Frames.SCHEMA, schema.getByte(4), "the server's shapes follow AUTH");
        schema.release();
        ch.writeInbound(WireSchema.encode(ALLOC, java.util.List.of()));
        ch.writeInbound(Frames.withLong(ALLOC, Frames.PING, 5));
        ByteBuf pong = ch.readOutbound();
        assertEquals(Frames.PONG, pong.getByte(4));
        pong.release();
        assertTrue(ch.isActive());
      } else {
        ch.writeInbound(Frames.withLong(ALLOC, Frames.PING, 5));
        assertFalse(ch.isActive(), "no AUTH, no service");
      }
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void helloWithWrongMagic_closesTheConnection() {
    ByteBuf bad = Frames.start(ALLOC, 16, Frames.HELLO);
    bad.writeInt(0xCAFEBABE).writeByte(Frames.VERSION);
    channel.writeInbound(Frames.finish(bad));

    assertFalse(channel.isActive());
  }

  @Test
  void helloOfAnotherVersion_closesTheConnection() {
    ByteBuf bad = Frames.start(ALLOC, 16, Frames.HELLO);
    bad.writeInt(Frames.MAGIC).writeByte(99);
    Frames.writeShortString(bad, "127.0.0.1");
    bad.writeInt(1);
    channel.writeInbound(Frames.finish(bad));

    assertFalse(channel.isActive());
  }

  @Test
  void handshakeStage_removesItselfAtThePeersSchema_andAFrameReadWithTheSchemaIsServed() {
    channel.writeInbound(hello(ProcessId.of("127.0.0.1", 1)));
    readFrame().release();
    readFrame().release();
    assertNotNull(channel.pipeline().get(HandshakeHandler.class), "handshaking");

    // the SCHEMA and a PING in one read: the PING is the connection's, not the handshake's
    channel.writeInbound(Unpooled.wrappedBuffer(WireSchema.encode(ALLOC, java.util.List.of()),
        Frames.withLong(ALLOC, Frames.PING, 77L)));

    assertNull(channel.pipeline().get(HandshakeHandler.class), "ready: the stage is gone");
    assertTrue(channel.isActive());
    ByteBuf pong = readFrame();
    try {
      assertEquals(Frames.PONG, pong.readByte());
      assertEquals(77L, pong.readLong());
    } finally {
      pong.release();
    }
  }

  @Test
  void handshakeTimer_closesAConnectionThatDoesNotFinish_andEndsWithTheStage() {
    EmbeddedChannel silent = new EmbeddedChannel();
    silent.pipeline().addLast(new LengthFieldBasedFrameDecoder(1024 + 4, 0, 4, 0, 4));
    silent.pipeline().addLast(handlers(new ChannelConnection(process, silent)));
    handshake();
    long past = process.config().handshakeTimeout().toMillis() + 1;

    for (EmbeddedChannel ch : new EmbeddedChannel[] {silent, channel}) {
      ch.advanceTimeBy(past, java.util.concurrent.TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
    }

    assertFalse(silent.isActive(), "no handshake within the timeout");
    assertTrue(channel.isActive(), "handshaken: its timer went with the stage");
    silent.finishAndReleaseAll();
  }

  @Test
  void ping_isAnsweredWithPongOfSameNonce() {
    handshake();

    channel.writeInbound(Frames.withLong(ALLOC, Frames.PING, 1234L));

    ByteBuf pong = readFrame();
    try {
      assertEquals(Frames.PONG, pong.readByte());
      assertEquals(1234L, pong.readLong());
    } finally {
      pong.release();
    }
  }

  @Test
  void frameOverLimit_closesTheConnection() {
    ByteBuf huge = Unpooled.buffer().writeInt(10_000).writeZero(2_000);

    channel.writeInbound(huge);

    assertFalse(channel.isActive());
  }

  @Test
  void unknownFrameKind_closesTheConnection() {
    handshake();

    channel.writeInbound(Frames.finish(Frames.start(ALLOC, 0, (byte) 77)));

    assertFalse(channel.isActive());
  }

  @Test
  void requestForUnknownFunction_isAnsweredWithErrorFrame() {
    handshake();
    ByteBuf request = process.codec().encodeCall(ALLOC, Frames.REQUEST, 5, 1000, "nope",
        new Object[] {1}).bytes();

    channel.writeInbound(request);

    AtomicReference<ByteBuf> reply = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      channel.runPendingTasks(); // the batched write is a task on the channel's loop
      reply.set(readFrame());
      return reply.get() != null;
    });
    ByteBuf error = reply.get();
    try {
      Message.Failure message = (Message.Failure) Frames.decode(error);
      assertEquals(5, message.callId());
      RpcException e = message.toException("nope");
      assertEquals(RpcException.Kind.NO_SUCH_FUNCTION, e.kind());
      assertTrue(e.getMessage().contains("'nope'"));
    } finally {
      error.release();
    }
  }

  @Test
  void requestWithUndecodableArguments_isAnsweredWithSerializationError() {
    RpcProcess unused = process;
    unused.export("f", args -> 1);
    handshake();
    ByteBuf bad = Frames.start(ALLOC, 32, Frames.REQUEST);
    bad.writeLong(9).writeLong(1000);
    Frames.writeShortString(bad, "f");
    bad.writeByte(1).writeByte(0x7F).writeByte(0x7F).writeByte(0x7F); // class id nobody has
    channel.writeInbound(Frames.finish(bad));

    AtomicReference<ByteBuf> reply = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      channel.runPendingTasks();
      reply.set(readFrame());
      return reply.get() != null;
    });
    ByteBuf error = reply.get();
    try {
      Message.Failure message = (Message.Failure) Frames.decode(error);
      assertEquals(9, message.callId());
      assertEquals(RpcException.Kind.SERIALIZATION, message.toException("f").kind());
    } finally {
      error.release();
    }
    assertTrue(channel.isActive(), "a bad payload fails the call, not the connection");
  }
}
