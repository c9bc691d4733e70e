package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.moonwire.rpc.RpcConfig;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link BoundedInput} alone, the guard between a length read from the wire and the array Kryo
 * allocates for it. Each bulk read is checked at its edge: the length that exactly fills what is
 * left reads its values back; one element more is refused with the bound named, before Kryo
 * allocates (Kryo's own refusal would be a "Buffer underflow" after allocating).
 */
class BoundedInputTest {

  /** A frame of exactly {@code bytes}. */
  private static BoundedInput over(byte[] bytes) {
    BoundedInput in = new BoundedInput();
    in.setBuffer(ByteBuffer.wrap(bytes));
    return in;
  }

  private static byte[] written(Consumer<Output> body) {
    Output o = new Output(64, -1);
    body.accept(o);
    return o.toBytes();
  }

  private static long allowance(BoundedInput in) {
    return BoundedInput.EXPANSION * ((long) in.limit() + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES);
  }

  private static void assertRefusedAsHeap(KryoException e) {
    assertTrue(e.getMessage().contains("bytes of heap to decode"), e.getMessage());
  }

  private static void assertRefusedAsLength(long length, KryoException e) {
    assertTrue(e.getMessage().contains("a length of " + length + " read from the wire"),
        e.getMessage());
  }

  /**
   * One bulk read: how it writes {@code n} elements, reads them back, and the least bytes an
   * element takes on the wire.
   */
  record Bulk(String name, int minBytes, int heapBytes, Consumer<Output> writeThree,
      Function<BoundedInput, Object> readThree, Object three,
      java.util.function.BiFunction<BoundedInput, Integer, Object> read) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Bulk> bulkReads() {
    return Stream.of(
        new Bulk("readBytes", 1, 1, o -> o.writeBytes(new byte[] {1, -2, 3}),
            in -> in.readBytes(3), new byte[] {1, -2, 3}, Input::readBytes),
        new Bulk("readInts", 4, 4, o -> o.writeInts(new int[] {1, -2, 1 << 30}, 0, 3),
            in -> in.readInts(3), new int[] {1, -2, 1 << 30}, Input::readInts),
        new Bulk("readInts(varint)", 1, 4, o -> o.writeInts(new int[] {1, 2, 3}, 0, 3, true),
            in -> in.readInts(3, true), new int[] {1, 2, 3}, (in, n) -> in.readInts(n, true)),
        new Bulk("readLongs", 8, 8, o -> o.writeLongs(new long[] {1, -2, 1L << 40}, 0, 3),
            in -> in.readLongs(3), new long[] {1, -2, 1L << 40}, Input::readLongs),
        new Bulk("readLongs(varlong)", 1, 8, o -> o.writeLongs(new long[] {1, 2, 3}, 0, 3, true),
            in -> in.readLongs(3, true), new long[] {1, 2, 3}, (in, n) -> in.readLongs(n, true)),
        new Bulk("readFloats", 4, 4, o -> o.writeFloats(new float[] {1f, -2.5f, 3f}, 0, 3),
            in -> in.readFloats(3), new float[] {1f, -2.5f, 3f}, Input::readFloats),
        new Bulk("readDoubles", 8, 8, o -> o.writeDoubles(new double[] {1, -2.5, 1e300}, 0, 3),
            in -> in.readDoubles(3), new double[] {1, -2.5, 1e300}, Input::readDoubles),
        new Bulk("readShorts", 2, 2, o -> o.writeShorts(new short[] {1, -2, 300}, 0, 3),
            in -> in.readShorts(3), new short[] {1, -2, 300}, Input::readShorts),
        new Bulk("readChars", 2, 2, o -> o.writeChars(new char[] {'a', 'é', '€'}, 0, 3),
            in -> in.readChars(3), new char[] {'a', 'é', '€'}, Input::readChars),
        new Bulk("readBooleans", 1, 1, o -> o.writeBooleans(new boolean[] {true, false, true}, 0, 3),
            in -> in.readBooleans(3), new boolean[] {true, false, true}, Input::readBooleans));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bulkReads")
  void bulkRead_lengthThatFillsTheFrame_readsItsValues(Bulk bulk) {
    BoundedInput in = over(written(bulk.writeThree()));

    Object back = bulk.readThree().apply(in);

    assertArrayEquals(new Object[] {bulk.three()}, new Object[] {back}, bulk.name());
    assertEquals(0, in.limit() - in.position());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bulkReads")
  void bulkRead_oneElementMoreThanTheFrameHolds_isRefusedNamingTheLength(Bulk bulk) {
    // room for exactly 3 elements of the least size, asked for 4
    BoundedInput in = over(new byte[3 * bulk.minBytes()]);

    var e = assertThrows(KryoException.class, () -> bulk.read().apply(in, 4));

    assertRefusedAsLength(4, e);
    assertTrue(e.getMessage().contains("only " + 3 * bulk.minBytes() + " bytes are left"),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bulkReads")
  void bulkRead_negativeLength_isRefused(Bulk bulk) {
    BoundedInput in = over(new byte[16]);

    assertRefusedAsLength(-1, assertThrows(KryoException.class, () -> bulk.read().apply(in, -1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bulkReads")
  void bulkRead_countsAgainstWhatTheFrameHasLeft_notItsWholeSize(Bulk bulk) {
    // 4 elements' worth in the frame, but one byte already read: 4 no longer fit
    BoundedInput in = over(new byte[4 * bulk.minBytes()]);
    in.readByte();

    var e = assertThrows(KryoException.class, () -> bulk.read().apply(in, 4));

    assertRefusedAsLength(4, e);
    assertTrue(e.getMessage().contains("only " + (4 * bulk.minBytes() - 1) + " bytes are left"),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bulkReads")
  void bulkRead_isChargedItsArray_pastTheAllowanceIsRefused(Bulk bulk) {
    // values already decoded took all but 3 elements' worth of the frame's allowance
    BoundedInput in = over(written(bulk.writeThree()));
    long array = HeapCosts.array(3, bulk.heapBytes());
    in.charge(allowance(in) - array + 1);

    var e = assertThrows(KryoException.class, () -> bulk.readThree().apply(in));

    assertRefusedAsHeap(e);
    BoundedInput fits = over(written(bulk.writeThree()));
    fits.charge(allowance(fits) - array);
    assertArrayEquals(new Object[] {bulk.three()}, new Object[] {bulk.readThree().apply(fits)});
  }

  @Test
  void readBytes_ofNothing_isAnEmptyArray() {
    assertArrayEquals(new byte[0], over(new byte[0]).readBytes(0));
  }

  @Test
  void charge_upToTheAllowance_passes_oneByteMoreIsRefused() {
    BoundedInput in = over(new byte[10]);
    long allowance = BoundedInput.EXPANSION * (10L + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES);
    in.charge(allowance - 1);
    in.charge(1); // the whole allowance, no more

    var e = assertThrows(KryoException.class, () -> in.charge(1));

    assertRefusedAsHeap(e);
    assertTrue(e.getMessage().contains("10-byte frame would take over " + allowance),
        e.getMessage());
  }

  @Test
  void checkArray_weighsEachElementByItsSizeOnTheWire_andChargesItsSizeInMemory() {
    BoundedInput in = over(new byte[15]);

    assertRefusedAsLength(2, assertThrows(KryoException.class, () -> in.checkArray(2, 8, 8)));
    assertEquals(0, in.charged(), "nothing charged for what does not fit");
    in.checkArray(3, 5, 8); // 15 bytes: fits
    assertEquals(HeapCosts.array(3, 8), in.charged());
  }

  @Test
  void checkFits_checksWhatIsLeft_notTheWholeFrame() {
    // 10 bytes, 6 read: 5 elements fit the frame but not what is left of it
    BoundedInput in = over(new byte[10]);
    in.readBytes(6);

    var e = assertThrows(KryoException.class, () -> in.checkFits(5, 1));

    assertTrue(e.getMessage().contains("only 4 bytes are left"), e.getMessage());
  }

  @Test
  void checkFits_chargesNothing() {
    BoundedInput in = over(new byte[10]);
    in.checkFits(10, 1);
    in.checkFits(10, 1);

    assertEquals(0, in.charged());
  }

  @Test
  void setBuffer_startsANewFramesAllowance() {
    BoundedInput in = over(new byte[10]);
    in.charge(allowance(in));

    in.setBuffer(ByteBuffer.wrap(new byte[10]));

    assertEquals(0, in.charged());
    in.charge(allowance(in));
  }

  @Test
  void strings_thatFitTheirFrame_readBack() {
    for (String s : new String[] {"x", "ab", "é", "ascii of more than sixty-four characters, "
        + "which Kryo writes as UTF-8 with a length", "x".repeat(3000) + "€", ""}) {
      BoundedInput in = over(written(o -> o.writeString(s)));

      assertEquals(s, in.readString());
      assertEquals(0, in.limit() - in.position(), s);
      assertEquals(s, over(written(o -> o.writeString(s))).readStringBuilder().toString());
    }
  }

  @Test
  void aNullString_readsAsNull() {
    // Kryo writes null as a length of 0; it claims nothing.
    assertNull(over(written(o -> o.writeString(null))).readString());
    assertNull(over(written(o -> o.writeString(null))).readStringBuilder());
  }

  @Test
  void aStringClaimingMoreCharsThanTheFrameHolds_isRefusedBeforeAllocating() {
    byte[] claim = written(o -> o.writeVarIntFlag(true, 40_000_001, true));

    assertRefusedAsLength(40_000_000,
        assertThrows(KryoException.class, () -> over(claim).readString()));
    assertRefusedAsLength(40_000_000,
        assertThrows(KryoException.class, () -> over(claim).readStringBuilder()));
  }

  @Test
  void aString_isChargedToTheFrame_asciiOrNot_butNullAndEmptyAreFree() {
    for (String s : new String[] {"x".repeat(100), "é".repeat(100)}) {
      byte[] bytes = written(o -> o.writeString(s));
      BoundedInput in = over(bytes);
      in.charge(allowance(in) - 100);

      assertRefusedAsHeap(assertThrows(KryoException.class, in::readString));
      BoundedInput again = over(bytes);
      again.charge(allowance(again) - 100);
      assertRefusedAsHeap(assertThrows(KryoException.class, again::readStringBuilder));
    }
    for (String free : new String[] {null, ""}) { // Kryo returns null and the literal ""
      BoundedInput in = over(written(o -> o.writeString(free)));
      in.charge(allowance(in));
      assertEquals(free, in.readString());
    }
  }

  @Test
  void trim_dropsTheCharBufferOfALargeString_keepsASmallOne() throws Exception {
    var chars = Input.class.getDeclaredField("chars");
    chars.setAccessible(true);
    // a non-ASCII string of n chars makes Kryo size its char buffer to n
    BoundedInput in = over(written(o -> o.writeString("é".repeat(1024))));
    in.readString();
    char[] kept = (char[]) chars.get(in);
    assertEquals(1024, kept.length);
    in.trim();
    assertSame(kept, chars.get(in), "1,024 chars are kept");

    in.setBuffer(ByteBuffer.wrap(written(o -> o.writeString("é".repeat(1025)))));
    in.readString();
    char[] large = (char[]) chars.get(in);
    in.trim();
    assertNotSame(large, chars.get(in));
    assertTrue(((char[]) chars.get(in)).length <= 1024);
  }
}
