package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.WireKryo;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import dev.moonwire.rpc.runtime.internal.wire.WireSerializer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import dev.moonwire.rpc.SerializationException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import dev.moonwire.rpc.RpcConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN §6: a length or count read from the wire is checked against the bytes left in its frame
 * before anything is allocated. Each payload here is a few bytes that claim a huge value.
 */
class AllocationBombTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** A record of no components: one byte on the wire, two objects on the heap. */
  record Empty() {}

  record Point(int x, int y) {}

  private final WireSerializer serializer = new WireSerializer(
      new WireRegistry(List.of(Empty.class, Point.class), WireKryo.BUILT_IN), 16 << 20);
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
  void setOfClaimingTwoBillionNulls_inSevenBytes_isRefusedAtOnce() {
    // "same type", the size + 1, then a null class: Kryo's own Set.of reader added null to a
    // HashSet two billion times (seconds of one thread) before failing
    byte[] payload = payload(Set.of(1, 2, 3).getClass(), o -> {
      o.writeVarIntFlag(true, 2_000_000_001, true);
      o.writeVarInt(0, true);
    });

    var e = assertTimeout(Duration.ofSeconds(2), () -> decodeFails(payload));

    assertTrue(e.getMessage().contains("bytes of heap to decode"), e.getMessage());
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

  // What decoding allocates is bounded by BoundedInput.EXPANSION times what the frame is
  // charged. Each shape below takes one byte or none per element on the wire and tens of bytes
  // on the heap; at 200,000 elements it would take far more than the allowance, at 100 it fits.

  /** The heap a payload of {@code bytes} may take to decode, and what the test itself costs. */
  private static long allowance(int bytes) {
    return BoundedInput.EXPANSION * ((long) bytes + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES);
  }

  private static final long SLACK = 256 << 10; // the frame's wrappers and the exception's stack

  /** The payload (what follows the function name) of a SEND of {@code args}. */
  private byte[] encoded(Object... args) {
    ByteBuf frame = serializer.encodeCall(io.netty.buffer.ByteBufAllocator.DEFAULT, Frames.SEND,
        0, 0, "f", args);
    try {
      frame.skipBytes(Frames.LENGTH_PREFIX_BYTES + 1);
      Frames.readShortString(frame);
      byte[] payload = new byte[frame.readableBytes()];
      frame.readBytes(payload);
      return payload;
    } finally {
      frame.release();
    }
  }

  /** Decodes {@code payload}: the value, or its failure, and what decoding allocated. */
  private record Decoded(Object value, SerializationException failure, long allocated) {}

  /** Decodes {@code payload} twice, measuring the second: the first loads and links classes. */
  private Decoded decode(byte[] payload) {
    decodeOnce(payload);
    return decodeOnce(payload);
  }

  private Decoded decodeOnce(byte[] payload) {
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    try {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      try {
        Object value = serializer.decodeArgs(buf, "f", null)[0];
        return new Decoded(value, null, THREADS.getCurrentThreadAllocatedBytes() - before);
      } catch (SerializationException e) {
        return new Decoded(null, e, THREADS.getCurrentThreadAllocatedBytes() - before);
      }
    } finally {
      buf.release();
    }
  }

  private static final Map<String, IntFunction<Object>> EMPTY_ELEMENTS = emptyElementShapes();

  @SuppressWarnings("JdkObsolete") // a LinkedList is one of the shapes a peer may send
  private static Map<String, IntFunction<Object>> emptyElementShapes() {
    Map<String, IntFunction<Object>> shapes = new LinkedHashMap<>();
    shapes.put("ArrayList of empty ArrayDeques",
        n -> new ArrayList<>(Stream.generate(ArrayDeque::new).limit(n).toList()));
    shapes.put("ArrayList of empty HashMaps",
        n -> new ArrayList<>(Stream.generate(HashMap::new).limit(n).toList()));
    shapes.put("LinkedList of empty ArrayLists",
        n -> new LinkedList<>(Stream.generate(ArrayList::new).limit(n).toList()));
    shapes.put("Object[] of empty HashSets",
        n -> Stream.generate(HashSet::new).limit(n).toArray());
    shapes.put("ArrayList of empty records",
        n -> new ArrayList<>(Stream.generate(Empty::new).limit(n).toList()));
    shapes.put("ArrayList of empty LinkedHashSets",
        n -> new ArrayList<>(Stream.generate(LinkedHashSet::new).limit(n).toList()));
    shapes.put("ArrayList of ArrayLists of nulls (n / 10,000 lists of n nulls)",
        n -> new ArrayList<>(Stream.generate(() -> new ArrayList<>(Collections.nCopies(n, null)))
            .limit(Math.max(1, n / 10_000)).toList()));
    shapes.put("List.of of empty Set.ofs",
        n -> Stream.generate(Set::of).limit(n).toList());
    shapes.put("ArrayList of nulls alone (Kryo writes its length only)",
        n -> new ArrayList<>(Collections.nCopies(n * 50, null)));
    return shapes;
  }

  static Stream<String> emptyElements() {
    return EMPTY_ELEMENTS.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("emptyElements")
  void valueOfEmptyElements_costingMoreThanItsAllowance_isRefusedBeforeItIsAllocated(
      String shape) {
    byte[] payload = encoded(EMPTY_ELEMENTS.get(shape).apply(200_000));

    Decoded d = decode(payload);

    assertNotNull(d.failure(), shape + ": decoded " + payload.length + " bytes into "
        + d.allocated() + " bytes of heap, over " + allowance(payload.length));
    assertTrue(d.failure().getMessage().contains("bytes of heap to decode"),
        d.failure().getMessage());
    assertTrue(d.allocated() < allowance(payload.length) + SLACK, shape + ": allocated "
        + d.allocated() + " for " + payload.length + " bytes before refusing");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("emptyElements")
  void valueOfEmptyElements_fewEnoughToFitItsAllowance_readsBack(String shape) {
    Object value = EMPTY_ELEMENTS.get(shape).apply(100);
    byte[] payload = encoded(value);

    Decoded d = decode(payload);

    assertNull(d.failure(), () -> shape + ": " + d.failure());
    assertEquals(value.getClass(), d.value().getClass(), shape);
    if (value instanceof Object[] array) {
      assertArrayEquals(array, (Object[]) d.value());
    } else {
      assertEquals(value.toString(), d.value().toString(), shape); // ArrayDeque has no equals
    }
    assertTrue(d.allocated() < allowance(payload.length) + SLACK, shape);
  }

  static Stream<Arguments> ordinaryValues() {
    int n = 200_000;
    return Stream.of(
        Arguments.of("strings of one char", new ArrayList<>(IntStream.range(0, n)
            .mapToObj(i -> String.valueOf((char) ('a' + i % 26))).toList())),
        Arguments.of("strings of three chars", new ArrayList<>(IntStream.range(0, n)
            .mapToObj(i -> "k" + (i % 90 + 10)).toList())),
        Arguments.of("boxed ints", new ArrayList<>(IntStream.range(0, n).boxed().toList())),
        Arguments.of("small boxed ints", new ArrayList<>(IntStream.range(0, n)
            .mapToObj(i -> i % 100).toList())),
        Arguments.of("a hash set of ints", new HashSet<>(IntStream.range(0, n).boxed().toList())),
        Arguments.of("a tree set of ints", new TreeSet<>(IntStream.range(0, n).boxed().toList())),
        Arguments.of("a map of ints to strings", new HashMap<>(IntStream.range(0, n).boxed()
            .collect(Collectors.toMap(i -> i, i -> "v" + i % 10)))),
        Arguments.of("records of two ints", new ArrayList<>(IntStream.range(0, n)
            .mapToObj(i -> new Point(i % 50, 1)).toList())),
        Arguments.of("nulls among numbers", new ArrayList<>(IntStream.range(0, n)
            .mapToObj(i -> i % 2 == 0 ? null : 7).toList())),
        Arguments.of("empty strings", new ArrayList<>(Collections.nCopies(n, ""))),
        Arguments.of("a long string", "€".repeat(n)),
        Arguments.of("an int array", new int[n]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ordinaryValues")
  void ordinaryValue_manyElements_readsBack_withinItsAllowance(String name, Object value) {
    byte[] payload = encoded(value);

    Decoded d = decode(payload);

    assertNull(d.failure(), () -> name + ": " + d.failure());
    // charged what it holds and the arrays it outgrew, under the allowance; the garbage that
    // reflection makes constructing a record is not charged, hence the margin
    assertTrue(d.allocated() < 2 * allowance(payload.length), name + ": allocated "
        + d.allocated() + " for " + payload.length + " bytes");
    if (value instanceof int[] ints) {
      assertArrayEquals(ints, (int[]) d.value());
    } else {
      assertEquals(value, d.value(), name);
    }
  }

  @Test
  void aListOfNulls_asTheFramesLastValue_readsBack() {
    // Kryo writes it as its length and a null class: a byte or two for any length
    List<Object> nulls = new ArrayList<>(Collections.nCopies(10_000, null));
    ByteBuf buf = Unpooled.wrappedBuffer(encoded("x", nulls));
    try {
      assertArrayEquals(new Object[] {"x", nulls}, serializer.decodeArgs(buf, "f", null));
    } finally {
      buf.release();
    }
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
