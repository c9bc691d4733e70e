package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link Frames}, the bytes of each frame kind read on the I/O thread: each bound at its edge
 * (the error strings cut at {@link Frames#MAX_STACK_CHARS}, a name's 65,535 bytes, the headers
 * section's limits), and each malformed frame a {@link ProtocolException} that says what it saw.
 */
class FramesTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  /** Decodes a whole frame (length included) and releases it. */
  private static Message decoded(ByteBuf frame) {
    try {
      frame.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      return Frames.decode(frame);
    } finally {
      frame.release();
    }
  }

  private static ProtocolException refused(ByteBuf body) {
    try {
      return assertThrows(ProtocolException.class, () -> Frames.decode(body));
    } finally {
      body.release();
    }
  }

  private static Message.Failure error(String message, String remoteClass, String stack) {
    return (Message.Failure) decoded(Frames.error(ALLOC, 3, RpcException.Kind.REMOTE_INVOCATION,
        message, remoteClass, stack));
  }

  @Test
  void error_messageAndStackOfTheLimit_crossWhole_longerOnesAreCut() {
    String max = "m".repeat(Frames.MAX_STACK_CHARS);

    Message.Failure whole = error(max, "C", max);
    assertEquals(max, whole.message());
    assertEquals(max, whole.remoteStack());

    Message.Failure cut = error(max + "x", "C", max + "x");
    assertEquals(max + "... (cut)", cut.message());
    assertEquals(max + "\n\t... (cut)", cut.remoteStack());
  }

  @Test
  void error_nullMessageAndClass_crossAsEmpty() {
    Message.Failure e = error(null, null, "");

    assertEquals(3, e.callId());
    assertEquals("", e.message());
    assertEquals("", e.remoteClass());
  }

  @Test
  void error_stringLongerThanItsFrame_isAProtocolError() {
    ByteBuf body = Unpooled.buffer().writeByte(Frames.ERROR).writeLong(1).writeByte(0)
        .writeInt(100).writeBytes(new byte[10]);

    assertTrue(refused(body).getMessage().contains("string of 100 bytes in a frame of 10 left"));
  }

  @Test
  void hello_roundTrips() {
    ProcessId id = ProcessId.of("10.0.0.7", 4100);
    byte[] nonce = Handshake.nonce();

    long incarnation = Frames.incarnation();
    var hello = (Message.Hello) decoded(Frames.hello(ALLOC, id, nonce, new byte[32],
        incarnation));

    assertEquals(id, hello.id());
    assertEquals(32, hello.proof().length);
    assertEquals(Frames.FEATURES, hello.features());
    assertEquals(incarnation, hello.incarnation());
  }

  @Test
  void hello_withoutAnIncarnation_readsAsNone_andFieldsAfterItAreSkipped() {
    ProcessId id = ProcessId.of("10.0.0.7", 4100);
    ByteBuf hello = Frames.hello(ALLOC, id, Handshake.nonce(), new byte[0], 42);
    // as the build before incarnations wrote it: up to its features
    ByteBuf older = hello.copy(0, hello.readableBytes() - 8);
    older.setInt(0, older.readableBytes() - 4);
    // as a later build may write it: a field of its own after the incarnation
    ByteBuf newer = hello.copy().writeLong(99);
    newer.setInt(0, newer.readableBytes() - 4);
    hello.release();

    Message.Hello old = (Message.Hello) decoded(older);
    Message.Hello next = (Message.Hello) decoded(newer);

    assertEquals(Frames.NO_INCARNATION, old.incarnation());
    assertEquals(Frames.FEATURES, old.features());
    assertEquals(42, next.incarnation());
    assertEquals(id, next.id());
  }

  @Test
  void incarnation_isNeverTheOneThatMeansNone_andDiffersPerRun() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i++) {
      long incarnation = Frames.incarnation();
      assertNotEquals(Frames.NO_INCARNATION, incarnation);
      seen.add(incarnation);
    }
    assertEquals(1000, seen.size());
  }

  @Test
  void hello_ofAnotherMagicOrVersion_isRefusedNamingWhatItSaw() {
    // exactly a magic and a version, nothing more: enough to tell what it is
    var magic = refused(Unpooled.buffer().writeByte(Frames.HELLO).writeInt(0x4854_5450)
        .writeByte(Frames.VERSION));
    assertTrue(magic.getMessage().contains("bad handshake magic 0x48545450"), magic.getMessage());

    var version = refused(Unpooled.buffer().writeByte(Frames.HELLO).writeInt(Frames.MAGIC)
        .writeByte(Frames.VERSION + 1));
    assertTrue(version.getMessage().contains("protocol version 3 (expected: 2)"),
        version.getMessage());

    var shorter = refused(Unpooled.buffer().writeByte(Frames.HELLO).writeInt(Frames.MAGIC));
    assertTrue(shorter.getMessage().contains("handshake too short"), shorter.getMessage());
  }

  @Test
  void hello_withABadProcessId_isAProtocolError() {
    ByteBuf body = Unpooled.buffer().writeByte(Frames.HELLO).writeInt(Frames.MAGIC)
        .writeByte(Frames.VERSION);
    Frames.writeShortString(body, "host");
    body.writeInt(-5);

    assertTrue(refused(body).getMessage().contains("bad process id in handshake"));
  }

  @Test
  void everyKind_cutShort_isAProtocolErrorNamingItsKind() {
    for (byte kind : new byte[] {Frames.REQUEST, Frames.REQUEST_WITH_HEADERS, Frames.SEND,
        Frames.REPLY, Frames.ERROR, Frames.CANCEL, Frames.PING, Frames.PONG, Frames.SCHEMA}) {
      var e = refused(Unpooled.buffer().writeByte(kind).writeByte(0));
      assertTrue(e.getMessage().contains("frame of kind " + kind + " cut short (2 bytes)"),
          e.getMessage());
    }
  }

  @Test
  void shortString_ofTheLimit_isWritten_oneByteMoreIsRefused() {
    ByteBuf buf = Unpooled.buffer();
    try {
      Frames.writeShortString(buf, "é".repeat(0xFFFF / 2) + "x");
      assertEquals(0xFFFF, buf.getUnsignedShort(0));
      assertEquals("é".repeat(0xFFFF / 2) + "x", Frames.readShortString(buf));

      var e = assertThrows(IllegalArgumentException.class,
          () -> Frames.writeShortString(buf, "x".repeat(0x10000)));
      assertTrue(e.getMessage().contains("name of 65536 bytes (expected: <= 65535)"));
    } finally {
      buf.release();
    }
  }

  // --- REQUEST_WITH_HEADERS: the section at its edges ---

  /** A REQUEST_WITH_HEADERS body that ends with its headers (no arguments: they come later). */
  private static ByteBuf headed(Consumer<ByteBuf> section) {
    ByteBuf body = Unpooled.buffer().writeByte(Frames.REQUEST_WITH_HEADERS).writeLong(1)
        .writeLong(1000);
    Frames.writeShortString(body, "f");
    section.accept(body);
    return body;
  }

  /** A section: its length, the count, then each key and value. */
  private static Consumer<ByteBuf> section(String... keysAndValues) {
    return b -> {
      int at = b.writerIndex();
      b.writeShort(0);
      b.writeByte(keysAndValues.length / 2);
      for (String s : keysAndValues) {
        Frames.writeShortString(b, s);
      }
      b.setShort(at, b.writerIndex() - at - 2);
    };
  }

  private static CallHeaders headersOf(ByteBuf body) {
    try {
      var request = (Message.Request) Frames.decode(body);
      return Frames.readHeaders(body, request.headersAt());
    } finally {
      body.release();
    }
  }

  @Test
  void headers_atEveryLimitAtOnce_areRead() {
    // 32 headers, 8,192 bytes of keys and values: a section of exactly the most it may be
    String[] kv = new String[2 * CallHeaders.MAX_HEADERS];
    int valueBytes = (CallHeaders.MAX_BYTES - 3 * CallHeaders.MAX_HEADERS)
        / CallHeaders.MAX_HEADERS;
    for (int i = 0; i < CallHeaders.MAX_HEADERS; i++) {
      kv[2 * i] = String.format("k%02d", i);
      kv[2 * i + 1] = "v".repeat(valueBytes);
    }
    assertEquals(CallHeaders.MAX_BYTES, CallHeaders.MAX_HEADERS * (3 + valueBytes));

    CallHeaders headers = headersOf(headed(section(kv)));

    assertEquals(CallHeaders.MAX_HEADERS, headers.size());
    assertEquals("v".repeat(valueBytes), headers.get("k31"));
  }

  @Test
  void headers_sectionOneByteOverTheMost_isRefused() {
    int most = 1 + CallHeaders.MAX_BYTES + 4 * CallHeaders.MAX_HEADERS;
    ByteBuf body = headed(b -> b.writeShort(most + 1).writeBytes(new byte[most + 1]));

    assertTrue(refused(body).getMessage().contains("headers of " + (most + 1)
        + " bytes (expected: 1 to " + most + ")"));
  }

  @Test
  void headers_ofNoHeaders_readAsEmpty() {
    assertTrue(headersOf(headed(section())).isEmpty());
  }

  @Test
  void headers_sectionOfNoBytes_isRefused() {
    ByteBuf body = headed(b -> b.writeShort(0));
    body.writeByte(0); // an argument count, so that the section is not simply cut short

    assertTrue(refused(body).getMessage().contains("headers of 0 bytes"));
  }

  @Test
  void headers_whoseLastValueIsEmpty_areRead() {
    assertEquals("", headersOf(headed(section("a", "1", "b", ""))).get("b"));
  }

  @Test
  void headers_everyKeyIsChecked_notOnlyTheFirst() {
    var e = refused(headed(section("a", "1", "B", "2")));

    assertTrue(e.getMessage().contains("'B'"), e.getMessage());
  }

  @Test
  void headers_aStringRunningPastItsSection_isCutShort_evenWithBytesBehindIt() {
    ByteBuf body = headed(b -> {
      b.writeShort(6); // the count, the key and the value's length: not the value
      b.writeByte(1);
      b.writeShort(1).writeByte('a');
      b.writeShort(3); // a value of 3 bytes in a section that has none left
    });
    body.writeBytes(new byte[] {'x', 'y', 'z'});

    assertTrue(refused(body).getMessage().contains("headers cut short"));
  }

  @Test
  void withoutHeaders_readsTheFrameFromItsReaderIndex() {
    WireSerializer codec =
        new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);
    ByteBuf headed = codec.encodeCall(ALLOC, Frames.REQUEST, 11, 2500, "f",
        new Object[] {"a"}, new CallHeaders().put("k", "v"));
    ByteBuf plain = codec.encodeCall(ALLOC, Frames.REQUEST, 11, 2500, "f", new Object[] {"a"});
    // the queued frame behind 3 bytes already read
    ByteBuf queued = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(headed);
    queued.skipBytes(3);
    headed.release();

    ByteBuf stripped = Frames.withoutHeaders(ALLOC, queued);

    try {
      assertEquals(ByteBufUtil.hexDump(plain), ByteBufUtil.hexDump(stripped));
      assertEquals(0, queued.refCnt(), "the headed frame is released");
    } finally {
      plain.release();
      stripped.release();
    }
  }

  @Test
  void auth_carriesItsProof() {
    var auth = (Message.Auth) decoded(Frames.auth(ALLOC, new byte[] {1, 2, 3}));

    assertEquals(3, auth.proof().length);
    assertInstanceOf(Message.GoAway.class, decoded(Frames.goAway(ALLOC)));
  }
}
