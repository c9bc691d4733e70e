package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Call headers on the wire: REQUEST_WITH_HEADERS read back, turned into a plain REQUEST for an
 * older peer, malformed ones refused; the HELLO's features, with and without the field.
 */
class HeadersWireTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private final WireSerializer codec =
      new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);

  private ByteBuf headedRequest() {
    CallHeaders headers = new CallHeaders().put("traceparent", TRACEPARENT)
        .put("baggage", "user=zoë");
    return codec.encodeCall(ALLOC, Frames.REQUEST, 11, 2500, "bank.deposit",
        new Object[] {"acc-1", 10L}, headers);
  }

  /** Decodes a whole frame (length included) as the I/O thread does, then gives it back. */
  private static void decoded(ByteBuf frame, Consumer<Message.Request> check) {
    try {
      frame.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      check.accept((Message.Request) Frames.decode(frame));
    } finally {
      frame.release();
    }
  }

  @Test
  void aRequestWithHeaders_readsBack_headersAndArguments() {
    ByteBuf frame = headedRequest();
    assertEquals(Frames.REQUEST_WITH_HEADERS, frame.getByte(Frames.LENGTH_PREFIX_BYTES));
    decoded(frame, r -> {
      assertEquals(11, r.callId());
      assertEquals(2500, r.deadlineMillis());
      assertEquals("bank.deposit", r.function());
      assertTrue(r.headersAt() > 0);
      CallHeaders read = Frames.readHeaders(r.payload(), r.headersAt());
      assertEquals(TRACEPARENT, read.get("traceparent"));
      assertEquals("user=zoë", read.get("baggage"));
      assertEquals(List.of("traceparent", "baggage"), List.copyOf(read.keys()));
      assertArrayEquals(new Object[] {"acc-1", 10L},
          codec.decodeArgs(r.payload(), "bank.deposit", null));
    });
  }

  @Test
  void noHeaders_isAPlainRequest() {
    ByteBuf frame = codec.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "f", new Object[0],
        new CallHeaders());
    assertEquals(Frames.REQUEST, frame.getByte(Frames.LENGTH_PREFIX_BYTES));
    decoded(frame, r -> assertEquals(-1, r.headersAt()));
  }

  @Test
  void forAnOlderPeer_theRequestGoesWithoutItsHeaders_andIsOtherwiseTheSame() {
    ByteBuf plain = Frames.withoutHeaders(ALLOC, headedRequest());
    assertEquals(Frames.REQUEST, plain.getByte(Frames.LENGTH_PREFIX_BYTES));
    assertEquals(plain.readableBytes() - 4, plain.getInt(0), "its length is its own");
    decoded(plain, r -> {
      assertEquals(-1, r.headersAt());
      assertEquals(11, r.callId());
      assertEquals(2500, r.deadlineMillis());
      assertEquals("bank.deposit", r.function());
      assertArrayEquals(new Object[] {"acc-1", 10L},
          codec.decodeArgs(r.payload(), "bank.deposit", null));
    });
  }

  /** A REQUEST_WITH_HEADERS whose headers section is {@code section}, then one empty args. */
  private static ByteBuf withSection(Consumer<ByteBuf> section) {
    ByteBuf buf = Frames.start(ALLOC, 64, Frames.REQUEST_WITH_HEADERS);
    buf.writeLong(1);
    buf.writeLong(1000);
    Frames.writeShortString(buf, "f");
    section.accept(buf);
    buf.writeByte(0); // no arguments
    return Frames.finish(buf);
  }

  private static void entry(ByteBuf buf, String key, String value) {
    Frames.writeShortString(buf, key);
    Frames.writeShortString(buf, value);
  }

  private static void refused(String expected, Consumer<ByteBuf> section) {
    ByteBuf frame = withSection(section);
    try {
      frame.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      ProtocolException e = assertThrows(ProtocolException.class, () -> Frames.decode(frame));
      assertTrue(e.getMessage().contains(expected), e.getMessage());
    } finally {
      frame.release();
    }
  }

  @Test
  void malformedHeaders_areAProtocolError() {
    refused("33 headers", b -> {
      int at = b.writerIndex();
      b.writeShort(0);
      b.writeByte(33);
      for (int i = 0; i < 33; i++) {
        entry(b, "k" + i, "v");
      }
      b.setShort(at, b.writerIndex() - at - 2);
    });
    refused("'Traceparent' has 'T'", b -> {
      int at = b.writerIndex();
      b.writeShort(0);
      b.writeByte(1);
      entry(b, "Traceparent", TRACEPARENT);
      b.setShort(at, b.writerIndex() - at - 2);
    });
    refused("headers of 60000 bytes", b -> {
      b.writeShort(60000); // more than the frame holds
      b.writeByte(0);
    });
    refused("headers cut short", b -> {
      b.writeShort(5);
      b.writeByte(1);
      b.writeShort(200); // a key longer than the section
      b.writeShort(0);
    });
    refused("expected: at most 8192", b -> {
      int at = b.writerIndex();
      b.writeShort(0);
      b.writeByte(2);
      entry(b, "a", "x".repeat(4100));
      entry(b, "b", "x".repeat(4100));
      b.setShort(at, b.writerIndex() - at - 2);
    });
    refused("not UTF-8", b -> { // 0xFF would decode to U+FFFD, 3 bytes: past what was counted
      int at = b.writerIndex();
      b.writeShort(0);
      b.writeByte(1);
      Frames.writeShortString(b, "k");
      b.writeShort(3);
      b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
      b.setShort(at, b.writerIndex() - at - 2);
    });
    refused("filling it", b -> {
      b.writeShort(4); // says 4 bytes, holds 1: the count of none, then stray bytes
      b.writeByte(0);
      b.writeMedium(0);
    });
  }

  @Test
  void aHello_saysItsFeatures_andOneWithoutTheField_readsAsNone() {
    ProcessId self = ProcessId.of("10.0.0.7", 4100);
    ByteBuf hello = Frames.hello(ALLOC, self, Handshake.nonce(), new byte[0], 7);
    // as Moonwire wrote it before features (and the incarnation after them)
    ByteBuf older = hello.copy(0, hello.readableBytes() - 4 - 8);
    older.setInt(0, older.readableBytes() - 4);
    try {
      hello.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      older.skipBytes(Frames.LENGTH_PREFIX_BYTES);
      assertEquals(Frames.FEATURES, ((Message.Hello) Frames.decode(hello)).features());
      Message.Hello old = (Message.Hello) Frames.decode(older);
      assertEquals(0, old.features());
      assertEquals(self, old.id());
    } finally {
      hello.release();
      older.release();
    }
  }

  @Test
  void callHeaders_keepTheirBounds() {
    CallHeaders h = new CallHeaders();
    assertThrows(IllegalArgumentException.class, () -> h.put("Upper", "v"));
    assertThrows(IllegalArgumentException.class, () -> h.put("", "v"));
    assertThrows(IllegalArgumentException.class, () -> h.put("k", null));
    for (int i = 0; i < CallHeaders.MAX_HEADERS; i++) {
      h.put("k" + i, "v");
    }
    assertThrows(IllegalArgumentException.class, () -> h.put("one-more", "v"));
    h.put("k0", "x".repeat(CallHeaders.MAX_BYTES - 200));
    assertThrows(IllegalArgumentException.class, () -> h.put("k1", "x".repeat(300)));
    assertEquals("v", h.get("k1"), "a refused put leaves the headers as they were");
    assertThrows(UnsupportedOperationException.class, () -> CallHeaders.empty().put("k", "v"));
    // bytes are counted in UTF-8: 4,096 two-byte characters and a key are over the bound
    assertThrows(IllegalArgumentException.class, () -> new CallHeaders().put("k", "é".repeat(
        CallHeaders.MAX_BYTES / "é".getBytes(StandardCharsets.UTF_8).length)));
  }
}
