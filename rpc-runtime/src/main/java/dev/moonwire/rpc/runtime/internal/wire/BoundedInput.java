package dev.moonwire.rpc.runtime.internal.wire;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.ByteBufferInput;

/**
 * Kryo's input over one frame, which allocates only what the frame can fill. Every length or
 * count that Kryo reads from the wire and then allocates for — arrays, strings — is checked
 * against the bytes left in the frame first (each element takes at least one byte on the wire,
 * a fixed-size one its full size), so a 6-byte header can never make Kryo allocate a 2 GiB
 * array. The char buffer Kryo keeps between strings is cut back after each value.
 */
public final class BoundedInput extends ByteBufferInput {
  private static final int KEPT_CHARS = 1024;
  /** Bytes that the lengths read so far from this frame claim, all of them together. */
  private long claimed;
  private long frameBytes;

  @Override
  public void setBuffer(java.nio.ByteBuffer buffer) {
    super.setBuffer(buffer);
    claimed = 0;
    frameBytes = buffer.remaining();
  }

  /**
   * Fails unless {@code count} elements of at least {@code minBytes} each fit in what is left,
   * and all counts read from this frame so far, together, fit in the frame: each checked alone,
   * many nested collections (of nulls, say, which Kryo can write in no bytes at all) could each
   * claim the whole frame and allocate its square.
   *
   * @throws KryoException if they do not
   */
  public void checkCount(long count, int minBytes) {
    checkFits(count, minBytes);
    claimed += count * minBytes;
    if (claimed > frameBytes) {
      throw new KryoException("the lengths read from the wire claim " + claimed + " bytes in "
          + "all, in a frame of " + frameBytes + " (expected: lengths the frame can hold)");
    }
  }

  /**
   * Like {@link #checkCount}, without adding to the total: for a count that a bulk read (of a
   * primitive array) will check and add itself.
   */
  public void checkFits(long count, int minBytes) {
    int left = limit() - position();
    if (count < 0 || count * minBytes > left) {
      throw new KryoException("a length of " + count + " read from the wire, but only " + left
          + " bytes are left in the frame (expected: a length the frame can hold)");
    }
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
      return super.readString(); // ASCII: as long as the bytes that are really there
    }
    int charCount = readVarIntFlag(true);
    setPosition(start);
    if (charCount > 0) { // 0 is null, which claims nothing
      checkCount(charCount - 1L, 1);
    }
    return super.readString();
  }

  @Override
  public StringBuilder readStringBuilder() {
    int start = position();
    if (readVarIntFlag()) {
      int charCount = readVarIntFlag(true);
      if (charCount > 0) {
        checkCount(charCount - 1L, 1);
      }
    }
    setPosition(start);
    return super.readStringBuilder();
  }

  @Override
  public byte[] readBytes(int length) {
    checkCount(length, 1);
    return super.readBytes(length);
  }

  @Override
  public int[] readInts(int length) {
    checkCount(length, 4);
    return super.readInts(length);
  }

  @Override
  public int[] readInts(int length, boolean optimizePositive) {
    checkCount(length, 1);
    return super.readInts(length, optimizePositive);
  }

  @Override
  public long[] readLongs(int length) {
    checkCount(length, 8);
    return super.readLongs(length);
  }

  @Override
  public long[] readLongs(int length, boolean optimizePositive) {
    checkCount(length, 1);
    return super.readLongs(length, optimizePositive);
  }

  @Override
  public float[] readFloats(int length) {
    checkCount(length, 4);
    return super.readFloats(length);
  }

  @Override
  public double[] readDoubles(int length) {
    checkCount(length, 8);
    return super.readDoubles(length);
  }

  @Override
  public short[] readShorts(int length) {
    checkCount(length, 2);
    return super.readShorts(length);
  }

  @Override
  public char[] readChars(int length) {
    checkCount(length, 2);
    return super.readChars(length);
  }

  @Override
  public boolean[] readBooleans(int length) {
    checkCount(length, 1);
    return super.readBooleans(length);
  }
}
