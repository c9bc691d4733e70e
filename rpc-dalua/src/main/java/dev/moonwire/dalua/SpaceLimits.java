package dev.moonwire.dalua;

/**
 * The most a {@link TupleSpace} holds: {@code tuples} tuples and {@code bytes} bytes (each
 * tuple's size estimated as its frame would be). Past either, {@code out} fails with {@link
 * dev.moonwire.rpc.OverloadedException} naming the space and the limit; nothing is dropped.
 *
 * @param tuples the most tuples, &gt; 0
 * @param bytes the most bytes, &gt; 0
 */
public record SpaceLimits(int tuples, long bytes) {
  /** 100,000 tuples and 64 MiB. */
  public static final SpaceLimits DEFAULT = new SpaceLimits(100_000, 64L << 20);

  /**
   * Checks the limits.
   *
   * @throws IllegalArgumentException if either is not positive
   */
  public SpaceLimits {
    if (tuples <= 0) {
      throw new IllegalArgumentException("SpaceLimits : tuples " + tuples + " (expected: > 0)");
    }
    if (bytes <= 0) {
      throw new IllegalArgumentException("SpaceLimits : bytes " + bytes + " (expected: > 0)");
    }
  }

  /** At most {@code tuples} tuples and {@code bytes} bytes. */
  public static SpaceLimits of(int tuples, long bytes) {
    return new SpaceLimits(tuples, bytes);
  }
}
