package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import dev.moonwire.rpc.SerializationException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The bounded serializers of arrays, collections and maps, through a {@link WireSerializer}
 * as a peer's frame reaches them: values that fill their frame to the last byte read back, and
 * a count one past what the frame can hold is refused with the bound named (a refusal that only
 * comes later, as Kryo's "Buffer underflow", would come after allocating).
 */
class BoundedSerializersTest {
  /** A class of fields (not a record): Kryo's field serializer writes its nulls itself. */
  static final class Holder {
    String text;
    byte[] bytes;
    int[] ints;
    long[] longs;
    double[] doubles;
    String[] names;
    boolean[] flags;
    Object[] things;
    List<String> list;
    Map<String, Integer> map;
  }

  private final WireSerializer serializer = new WireSerializer(
      new WireRegistry(List.of(Holder.class), WireKryo.BUILT_IN), 1 << 20);
  private final WireKryo kryo = new WireKryo(null);

  private int wireId(Class<?> type) {
    return kryo.getRegistration(type).getId() + 2; // Kryo writes ids shifted past NULL and NAME
  }

  /** The payload of a SEND of {@code args}. */
  private ByteBuf payloadOf(Object... args) {
    ByteBuf frame = serializer.encodeCall(ByteBufAllocator.DEFAULT, Frames.SEND, 0, 0, "f", args);
    frame.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1);
    Frames.readShortString(frame);
    return frame;
  }

  private Object[] roundTrip(Object... args) {
    ByteBuf payload = payloadOf(args);
    try {
      return serializer.decodeArgs(payload, "f", null);
    } finally {
      payload.release();
    }
  }

  /** One argument: the class id of {@code type}, then what {@code body} writes. */
  private byte[] payload(Class<?> type, Consumer<Output> body) {
    Output o = new Output(64, -1);
    o.writeVarInt(1, true);
    o.writeVarInt(wireId(type), true);
    body.accept(o);
    return o.toBytes();
  }

  private SerializationException refused(byte[] payload) {
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    try {
      return assertThrows(SerializationException.class,
          () -> serializer.decodeArgs(buf, "f", null));
    } finally {
      buf.release();
    }
  }

  @Test
  void arraysOfEveryKind_thatEndTheFrame_readBack() {
    // each alone, so that its last element is the frame's last byte
    for (Object array : new Object[] {new byte[] {1, 2, 3}, new int[] {1, -1, 1 << 30},
        new long[] {1, -1, 1L << 60}, new float[] {1.5f}, new double[] {2.5, -1},
        new short[] {1, 300}, new char[] {'a', '€'}, new boolean[] {true, false},
        new Object[] {null, null}, new String[] {null, null}, new Integer[] {null},
        new Long[] {null}, new Double[] {null}}) {
      Object back = roundTrip(array)[0];
      assertArrayEquals(new Object[] {array}, new Object[] {back}, array.getClass().getName());
    }
  }

  @Test
  void arraysOfEveryKind_claimingOneElementMoreThanTheFrameHolds_areRefused() {
    // the length + 1, then 3 bytes: with the length's own byte, room for 4 one-byte elements
    for (Class<?> type : List.of(byte[].class, int[].class, long[].class, float[].class,
        double[].class, short[].class, char[].class, boolean[].class, Object[].class,
        String[].class, Integer[].class, Long[].class, Double[].class)) {
      var e = refused(payload(type, o -> {
        o.writeVarInt(5 + 1, true);
        o.writeBytes(new byte[3]);
      }));
      assertTrue(e.getMessage().contains("a length of 5 read from the wire"),
          type.getName() + ": " + e.getMessage());
    }
  }

  @Test
  void aMap_claimingMoreEntriesThanTheFrameHolds_isRefused_eachEntryAKeyAndAValue() {
    // 10 entries in 15 bytes: 10 would fit as single bytes, not as 10 keys and 10 values
    var e = refused(payload(HashMap.class, o -> {
      o.writeVarInt(10 + 1, true);
      o.writeBytes(new byte[15]);
    }));

    assertTrue(e.getMessage().contains("a length of 20 read from the wire"), e.getMessage());
  }

  @Test
  void collectionsAndMaps_thatFillTheirFrame_readBack() {
    List<Integer> list = new ArrayList<>(List.of(1, 2, 3));
    Map<String, Integer> map = new HashMap<>(Map.of("a", 1, "b", 2));

    Object[] back = roundTrip(list, map, List.of(4, 5), Arrays.asList(6, 7), List.of(),
        new ArrayList<>(Arrays.asList(null, 8)));

    assertEquals(list, back[0]);
    assertEquals(map, back[1]);
    assertEquals(List.of(4, 5), back[2]);
    assertEquals(List.of(6, 7), back[3]);
    assertEquals(List.of(), back[4]);
    assertEquals(Arrays.asList(null, 8), back[5]);
  }

  @Test
  @SuppressWarnings("unchecked")
  void anImmutableList_readsBackImmutable() {
    Object back = roundTrip(List.of("a", "b"))[0];

    assertEquals(List.of("a", "b"), back);
    assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) back).add("c"));
  }

  @Test
  void anImmutableList_isWrittenAsKryoWritesIt() {
    // a peer reads List.of(...) with Kryo's own serializer as well as with the bounded one
    Kryo plain = new Kryo();
    plain.setReferences(false);
    ImmutableCollectionsSerializers.addDefaultSerializers(plain);
    ImmutableCollectionsSerializers.registerSerializers(plain);
    Output expected = new Output(64, -1);
    plain.writeObject(expected, List.of(1, 2, 3));
    Output actual = new Output(64, -1);
    kryo.writeObject(actual, List.of(1, 2, 3));

    assertArrayEquals(expected.toBytes(), actual.toBytes());
  }

  @Test
  void aClassOfFields_withEveryFieldNull_readsBack() {
    // Kryo's field serializer writes a null String or array as a length of 0, claiming nothing
    Holder back = (Holder) roundTrip(new Holder())[0];

    assertNull(back.text);
    assertNull(back.bytes);
    assertNull(back.ints);
    assertNull(back.longs);
    assertNull(back.doubles);
    assertNull(back.names);
    assertNull(back.flags);
    assertNull(back.things);
    assertNull(back.list);
    assertNull(back.map);
  }

  @Test
  void aClassOfFields_withValues_readsBack() {
    Holder h = new Holder();
    h.text = "t";
    h.bytes = new byte[] {1};
    h.ints = new int[] {2};
    h.longs = new long[] {3};
    h.doubles = new double[] {4};
    h.names = new String[] {"n", null};
    h.flags = new boolean[] {true};
    h.things = new Object[] {5, null};
    h.list = new ArrayList<>(List.of("l"));
    h.map = new HashMap<>(Map.of("k", 6));

    Holder back = (Holder) roundTrip(h)[0];

    assertEquals("t", back.text);
    assertArrayEquals(h.bytes, back.bytes);
    assertArrayEquals(h.ints, back.ints);
    assertArrayEquals(h.longs, back.longs);
    assertArrayEquals(h.doubles, back.doubles);
    assertArrayEquals(h.names, back.names);
    assertArrayEquals(h.flags, back.flags);
    assertArrayEquals(h.things, back.things);
    assertEquals(h.list, back.list);
    assertEquals(h.map, back.map);
  }

  @Test
  void nullArguments_readBackAsNull() {
    assertArrayEquals(new Object[] {null, "x", null}, roundTrip(null, "x", null));
  }
}
