package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.WireKryo;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import dev.moonwire.rpc.runtime.internal.wire.WireSerializer;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.testing.Causes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WireCodecTest {
  record Point(int x, int y) {}

  record Line(Point from, Point to) {}

  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  private static Object[] roundTrip(WireSerializer out, WireSerializer in, Object... args) {
    ByteBuf frame = out.encodeCall(ALLOC, Frames.REQUEST, 1, 100, "f", args);
    try {
      frame.skipBytes(4);
      assertEquals(Frames.REQUEST, frame.readByte());
      assertEquals(1, frame.readLong());
      assertEquals(100, frame.readLong());
      assertEquals("f", Frames.readShortString(frame));
      return in.decodeArgs(frame, "f", null);
    } finally {
      frame.release();
    }
  }

  @Test
  void processId_isBuiltIn_aloneAndInCollections() {
    WireSerializer s = new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);
    dev.moonwire.rpc.ProcessId p = dev.moonwire.rpc.ProcessId.of("10.1.2.3", 7001);
    List<dev.moonwire.rpc.ProcessId> group =
        new ArrayList<>(List.of(p, dev.moonwire.rpc.ProcessId.of("localhost", 1)));

    Object[] back = roundTrip(s, s, p, group, Map.of(p, 1));

    assertEquals(p, back[0]);
    assertEquals(group, back[1]);
    assertEquals(Map.of(p, 1), back[2]);
  }

  @Test
  void processIdWithABadPortFromTheWire_isASerializationError() {
    WireSerializer s = new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);
    com.esotericsoftware.kryo.io.Output o = new com.esotericsoftware.kryo.io.Output(64, -1);
    o.writeVarInt(1, true);
    o.writeVarInt(new WireKryo(null).getRegistration(dev.moonwire.rpc.ProcessId.class)
        .getId() + 2, true);
    o.writeString("127.0.0.1");
    o.writeVarInt(70_000, true);
    ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(o.toBytes());
    try {
      var e = assertThrows(SerializationException.class, () -> s.decodeArgs(buf, "f", null));
      assertTrue(e.getMessage().contains("bad process id"), e.getMessage());
    } finally {
      buf.release();
    }
  }

  @Test
  void builtIns_roundTrip() {
    WireSerializer s = new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);
    Object[] args = {1, 2L, 3.0, "four", true, 'c', (byte) 5, null, new int[] {1, 2},
        new String[] {"a"}, new ArrayList<>(List.of(1, 2)), List.of(1, 2, 3), Set.of("x"),
        Map.of("k", 1), new HashMap<>(Map.of(1, "v")), new TreeMap<>(Map.of("a", 1)),
        Arrays.asList(1, 2), UUID.randomUUID(), new BigDecimal("1.5"), Instant.ofEpochSecond(7)};

    Object[] back = roundTrip(s, s, args);

    assertEquals(args.length, back.length);
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof int[] a) {
        assertArrayEquals(a, (int[]) back[i]);
      } else if (args[i] instanceof String[] a) {
        assertArrayEquals(a, (String[]) back[i]);
      } else {
        assertEquals(args[i], back[i], "argument " + i);
      }
    }
  }

  @Test
  void registeredRecords_roundTrip_whateverTheRegistrationOrder() {
    WireSerializer a = new WireSerializer(new WireRegistry(List.of(Point.class, Line.class), WireKryo.BUILT_IN), 1 << 20);
    WireSerializer b = new WireSerializer(new WireRegistry(List.of(Line.class, Point.class), WireKryo.BUILT_IN), 1 << 20);
    Line line = new Line(new Point(1, 2), new Point(3, 4));

    assertEquals(line, roundTrip(a, b, line)[0]);
  }

  @Test
  void unregisteredNestedClass_isNamedInTheError() {
    WireSerializer s = new WireSerializer(new WireRegistry(List.of(Line.class), WireKryo.BUILT_IN), 1 << 20);

    var e = assertThrows(SerializationException.class,
        () -> s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "draw", new Object[] {
            new Line(new Point(1, 2), new Point(3, 4))}));

    assertTrue(e.getMessage().contains(Point.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("'draw'"), e.getMessage());
    // Before: WireKryo$UnregisteredClassException and Kryo's exception as causes.
    Causes.assertPublicTypesOnly(e);
    // the serializer is still usable after the failure
    assertEquals(7, roundTrip(s, s, 7)[0]);
  }

  @Test
  void cyclicGraph_failsWithSerializationError_andTheSerializerStaysUsable() {
    WireSerializer s = new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);

    var e = assertThrows(SerializationException.class,
        () -> s.encodeCall(ALLOC, Frames.REQUEST, 1, 1, "loop", new Object[] {cyclic}));

    assertTrue(e.getMessage().contains("cyclic"), e.getMessage());
    Causes.assertPublicTypesOnly(e);
    assertEquals("ok", roundTrip(s, s, "ok")[0]);
  }

  @Test
  void classUnknownToReceiver_failsDecodingWithSerializationError() {
    WireSerializer sender = new WireSerializer(new WireRegistry(List.of(Point.class), WireKryo.BUILT_IN), 1 << 20);
    WireSerializer receiver = new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 1 << 20);

    var e = assertThrows(SerializationException.class,
        () -> roundTrip(sender, receiver, new Point(1, 1)));
    Causes.assertPublicTypesOnly(e);
  }

  @Test
  void garbageForAPayload_isASerializationError_withoutKryoInIt() {
    WireSerializer s = new WireSerializer(new WireRegistry(List.of(Point.class), WireKryo.BUILT_IN),
        1 << 20);
    int pointId = WireRegistry.idOf(Point.class) + 2;
    // one argument: a Point whose x is a varint that never ends
    ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1,
        (byte) (0x80 | (pointId & 0x7F)), (byte) (0x80 | ((pointId >>> 7) & 0x7F)),
        (byte) (pointId >>> 14), 2, 5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    try {
      var e = assertThrows(SerializationException.class, () -> s.decodeArgs(buf, "f", null));
      assertTrue(e.getMessage().contains("'f'"), e.getMessage());
      assertTrue(!e.getMessage().contains("Serialization trace"), e.getMessage());
      Causes.assertPublicTypesOnly(e);
    } finally {
      buf.release();
    }
  }
}
