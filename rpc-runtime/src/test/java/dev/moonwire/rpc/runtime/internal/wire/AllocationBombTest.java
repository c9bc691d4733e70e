package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.WireKryo;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import dev.moonwire.rpc.runtime.internal.wire.WireSerializer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import dev.moonwire.rpc.SerializationException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6: a length or count read from the wire is checked against the bytes left in its frame
 * before anything is allocated. Each payload here is a few bytes that claim a huge value.
 */
class AllocationBombTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final WireSerializer serializer = new WireSerializer(new WireRegistry(List.of(), WireKryo.BUILT_IN), 16 << 20);
  private final WireKryo kryo = new WireKryo(null);

  private int wireId(Class<?> type) {
    return kryo.getRegistration(type).getId() + 2; // Kryo writes ids shifted past NULL and NAME
  }

  /** One argument: the class id of {@code type}, then what {@code body} writes. */
  private byte[] payload(Class<?> type, Consumer<Output> body) {
    Output o = new Output(64, -1);
    o.writeVarInt(1, true); // one argument
    o.writeVarInt(wireId(type), true);
    body.accept(o);
    return o.toBytes();
  }

  private SerializationException decodeFails(byte[] payload) {
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      SerializationException e = assertThrows(SerializationException.class,
          () -> serializer.decodeArgs(buf, "f", null));
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      assertTrue(allocated < 4 << 20, "allocated " + allocated + " bytes for a "
          + payload.length + "-byte payload: " + e.getMessage());
      return e;
    } finally {
      buf.release();
    }
  }

  @Test
  void intArrayOfSixtyMillion_inSixBytes_failsWithoutAllocating() {
    var e = decodeFails(payload(int[].class, o -> o.writeVarInt(60_000_001, true)));
    assertTrue(e.getMessage().contains("60000000"), e.getMessage());
  }

  @Test
  void hugeArraysOfEveryKind_failWithoutAllocating() {
    for (Class<?> type : List.of(byte[].class, long[].class, double[].class, float[].class,
        short[].class, char[].class, boolean[].class, Object[].class, String[].class,
        Integer[].class)) {
      decodeFails(payload(type, o -> o.writeVarInt(2_000_000_000, true)));
    }
  }

  @Test
  void hugeCollections_failWithoutAllocating() {
    // ArrayList: a "same type" flag and the size + 1, as Kryo's CollectionSerializer writes
    decodeFails(payload(ArrayList.class, o -> o.writeVarIntFlag(false, 100_000_001, true)));
    decodeFails(payload(HashMap.class, o -> o.writeVarInt(100_000_001, true)));
    decodeFails(payload(List.of(1, 2, 3).getClass(),
        o -> o.writeVarIntFlag(false, 100_000_001, true)));
    decodeFails(payload(Arrays.asList(1).getClass(),
        o -> o.writeVarIntFlag(false, 100_000_001, true)));
  }

  @Test
  void stringOfFortyMillionChars_inSixBytes_failsWithoutAllocating() {
    // Kryo's UTF-8 string: a flagged varint of the char count + 1
    decodeFails(payload(String.class, o -> o.writeVarIntFlag(true, 40_000_001, true)));
  }

  @Test
  void manyNestedListsOfNothing_eachClaimingTheWholeFrame_failWithoutAllocating() {
    // an ArrayList of 6,000 ArrayLists, each marked "same type, class null" (all nulls, which
    // Kryo writes in no bytes) and claiming as many elements as there are bytes left
    int inner = 6_000;
    Output o = new Output(64, -1);
    o.writeVarInt(1, true);
    o.writeVarInt(wireId(ArrayList.class), true);
    o.writeVarIntFlag(false, inner + 1, true); // outer: not same type, 6,000 elements
    for (int i = 0; i < inner; i++) {
      o.writeVarInt(wireId(ArrayList.class), true);
      o.writeVarIntFlag(true, (inner - i) * 4 + 1, true); // same type: ~ the bytes left
      o.writeVarInt(0, true); // element class: null
    }
    decodeFails(o.toBytes());
  }

  @Test
  void classNamedOnTheWire_isNeverResolved_andLeavesNothingForLaterReads() {
    Output named = new Output(64, -1);
    named.writeVarInt(1, true);
    named.writeVarInt(1, true); // NAME + 2: a class by name follows
    named.writeVarInt(0, true); // name id 0
    named.writeString("java.util.concurrent.atomic.AtomicLong");
    var e = decodeFails(named.toBytes());
    assertTrue(e.getMessage().contains("named a class"), e.getMessage());

    // a later read that refers to name id 0 without the name: Kryo's own resolver would hand
    // it the class the earlier read named
    Output reference = new Output(64, -1);
    reference.writeVarInt(1, true);
    reference.writeVarInt(1, true);
    reference.writeVarInt(0, true);
    var again = decodeFails(reference.toBytes());
    assertTrue(again.getMessage().contains("named a class"), again.getMessage());
  }

  @Test
  void valuesThatFitTheirFrame_stillRoundTrip() {
    Object[] args = {new int[1000], new byte[70_000], "x".repeat(100_000) + "é",
        new ArrayList<>(List.of(1, 2, 3)), List.of("a", "b"), Arrays.asList(1, 2),
        new String[] {"s"}, new Object[] {1, "two"}};
    ByteBuf frame = serializer.encodeCall(io.netty.buffer.ByteBufAllocator.DEFAULT, Frames.SEND,
        0, 0, "f", args);
    try {
      frame.skipBytes(5);
      Frames.readShortString(frame);
      Object[] back = serializer.decodeArgs(frame, "f", null);
      assertArrayEquals(new int[1000], (int[]) back[0]);
      assertEquals(70_000, ((byte[]) back[1]).length);
      assertEquals(args[2], back[2]);
      assertEquals(args[3], back[3]);
      assertEquals(args[4], back[4]);
      assertEquals(args[5], back[5]);
      assertArrayEquals((Object[]) args[7], (Object[]) back[7]);
    } finally {
      frame.release();
    }
  }
}
