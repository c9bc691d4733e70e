package dev.moonwire.rpc.runtime.internal.wire;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import dev.moonwire.rpc.RpcConfig;

/**
 * Kryo's input over one frame, which allocates only what the frame can pay for. Two guards:
 * <ul>
 *   <li>every length that Kryo reads and then allocates for, where each element takes at least
 *       one byte on the wire (strings, primitive arrays, arrays of objects, map entries), is
 *       checked against the bytes left in the frame first, so a 6-byte header can never make
 *       Kryo allocate a 2 GiB array;
 *   <li>what decoding allocates is charged, as estimated by {@link HeapCosts} before it is
 *       allocated, against an allowance of {@value #EXPANSION} times what the frame is charged
 *       in the process's budget (its bytes and {@value RpcConfig#QUEUED_EVENT_OVERHEAD_BYTES}).
 *       Elements that take no byte or one byte on the wire (a list of nulls, of empty lists, of
 *       empty maps) can each cost tens of bytes of heap; past the allowance the read fails,
 *       whatever their nesting.
 * </ul>
 * The char buffer Kryo keeps between strings is cut back after each value.
 */
public final class BoundedInput extends ByteBufferInput {
  /**
   * How many bytes of heap decoding may take per byte the frame is charged. Ordinary values take
   * well under it (a list of short strings or boxed numbers about 20, a hash set of numbers
   * about 30); a collection of empty elements takes more and is refused.
   */
  public static final int EXPANSION = 32;
  private static final int KEPT_CHARS = 1024;
  /** Bytes of heap charged so far while decoding this frame. */
  private long charged;
  private long allowance;
  private long frameBytes;

  @Override
  public void setBuffer(java.nio.ByteBuffer buffer) {
    super.setBuffer(buffer);
    charged = 0;
    frameBytes = buffer.remaining();
    allowance = EXPANSION * (frameBytes + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES);
  }

  /**
   * Counts {@code bytes} of heap that decoding this frame is about to take (or has just taken,
   * for a small fixed amount).
   *
   * @throws KryoException once the frame's allowance is spent
   */
  public void charge(long bytes) {
    charged += bytes;
    if (charged > allowance) {
      throw new KryoException("the values in this " + frameBytes + "-byte frame would take over "
          + allowance + " bytes of heap to decode (expected: at most " + EXPANSION
          + " × (frame bytes + " + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES + "); a collection of"
          + " many empty elements costs far more than its bytes)");
    }
  }

  /** Bytes charged so far for this frame. */
  public long charged() {
    return charged;
  }

  /**
   * Fails unless {@code count} elements of at least {@code minBytes} each fit in what is left.
   *
   * @throws KryoException if they do not
   */
  public void checkFits(long count, int minBytes) {
    int left = limit() - position();
    if (count < 0 || count * minBytes > left) {
      throw new KryoException("a length of " + count + " read from the wire, but only " + left
          + " bytes are left in the frame (expected: a length the frame can hold)");
    }
  }

  /**
   * For an array of {@code count} elements about to be allocated: they fit in what is left at
   * {@code minBytes} each on the wire, and {@code elementBytes} each in memory are charged.
   *
   * @throws KryoException if they do not fit or the allowance is spent
   */
  public void checkArray(long count, int minBytes, int elementBytes) {
    checkFits(count, minBytes);
    charge(HeapCosts.array(count, elementBytes));
  }

  /** Frees what a large value made Kryo keep. */
  public void trim() {
    if (chars.length > KEPT_CHARS) {
      chars = new char[32];
    }
  }

  @Override
  public String readString() {
    int start = position();
    if (!readVarIntFlag()) {
      setPosition(start);
      String ascii = super.readString(); // as long as the bytes that are really there
      charge(HeapCosts.string(ascii.length(), true));
      return ascii;
    }
    checkChars(start);
    return super.readString();
  }

  @Override
  public StringBuilder readStringBuilder() {
    int start = position();
    if (!readVarIntFlag()) {
      setPosition(start);
      StringBuilder ascii = super.readStringBuilder();
      charge(HeapCosts.string(ascii.length(), true));
      return ascii;
    }
    checkChars(start);
    return super.readStringBuilder();
  }

  /** A UTF-8 string's char count: at least a byte each, and charged as UTF-16 chars. */
  private void checkChars(int start) {
    int charCount = readVarIntFlag(true);
    setPosition(start);
    if (charCount > 1) { // 0 is null and 1 is "", which take nothing
      checkFits(charCount - 1L, 1);
      charge(HeapCosts.string(charCount - 1L, false));
    }
  }

  @Override
  public byte[] readBytes(int length) {
    checkArray(length, 1, 1);
    return super.readBytes(length);
  }

  @Override
  public int[] readInts(int length) {
    checkArray(length, 4, 4);
    return super.readInts(length);
  }

  @Override
  public int[] readInts(int length, boolean optimizePositive) {
    checkArray(length, 1, 4);
    return super.readInts(length, optimizePositive);
  }

  @Override
  public long[] readLongs(int length) {
    checkArray(length, 8, 8);
    return super.readLongs(length);
  }

  @Override
  public long[] readLongs(int length, boolean optimizePositive) {
    checkArray(length, 1, 8);
    return super.readLongs(length, optimizePositive);
  }

  @Override
  public float[] readFloats(int length) {
    checkArray(length, 4, 4);
    return super.readFloats(length);
  }

  @Override
  public double[] readDoubles(int length) {
    checkArray(length, 8, 8);
    return super.readDoubles(length);
  }

  @Override
  public short[] readShorts(int length) {
    checkArray(length, 2, 2);
    return super.readShorts(length);
  }

  @Override
  public char[] readChars(int length) {
    checkArray(length, 2, 2);
    return super.readChars(length);
  }

  @Override
  public boolean[] readBooleans(int length) {
    checkArray(length, 1, 1);
    return super.readBooleans(length);
  }
}
