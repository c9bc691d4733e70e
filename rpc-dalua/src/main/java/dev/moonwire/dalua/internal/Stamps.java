package dev.moonwire.dalua.internal;

/**
 * (Shared with the multicasts once they move to {@code internal}; {@code dalua.Stamps} is
 * the same check until then.) Checks a Lamport timestamp that came from a peer. Every number from a peer is hostile: one
 * stamp near the top of the range, taken into a clock, would leave every later stamp out of
 * range and stall the algorithm for good. A member's clock stays near the others' — each
 * moves by one per message it sees — so a stamp far ahead of this member's clock is refused.
 */
public final class Stamps {
  /** The largest timestamp a peer may send: far from wrapping, whatever peers send. */
  public static final long MAX = Long.MAX_VALUE / 4;
  /**
   * How far ahead of this member's clock a stamp may be: more than any group's members drift
   * apart (one tick per message seen), and it takes 2^29 such stamps to reach {@link #MAX}.
   */
  public static final long MAX_AHEAD = 1L << 32;

  private Stamps() {}

  /**
   * {@code ts} if it is a stamp this member may take into its clock {@code local}.
   *
   * @throws IllegalArgumentException naming {@code what} if it is negative, past {@link #MAX},
   *     or more than {@link #MAX_AHEAD} ahead of {@code local}
   */
  public static long checked(long ts, long local, String what) {
    if (ts < 0 || ts > MAX || ts - local > MAX_AHEAD) {
      throw new IllegalArgumentException(what + " with timestamp " + ts + " ignored (expected 0.."
          + Math.min(MAX, local + MAX_AHEAD) + ": at most " + MAX_AHEAD + " ahead of the clock "
          + "here, " + local + ")");
    }
    return ts;
  }
}
