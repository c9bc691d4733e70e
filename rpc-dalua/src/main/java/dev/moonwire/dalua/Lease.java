package dev.moonwire.dalua;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a tuple written with {@link TupleSpace#out(Tuple, Lease)} stays: {@link #FOREVER}
 * (what {@code out(tuple)} gives), {@link #of(Duration)} — removed once the duration has passed
 * since the space took it — or {@link #whileAlive()} — removed when the process that wrote it
 * leaves the group or dies, as DALua's directory and failure detector judge it (in a local
 * space, which lives and dies with its process, it stays as long as the space). In a
 * replicated space each removal is an operation of the group's total order like any other, so
 * every member removes the tuple at the same point.
 */
public final class Lease {
  /** Kinds of lease. */
  public enum Kind {
    /** Stays until taken. */
    FOREVER,
    /** Removed when its duration has passed. */
    TIMED,
    /** Removed when its writer leaves or dies. */
    WHILE_ALIVE
  }

  /** Stays until taken. */
  public static final Lease FOREVER = new Lease(Kind.FOREVER, Duration.ZERO);
  private static final Lease WHILE_ALIVE = new Lease(Kind.WHILE_ALIVE, Duration.ZERO);

  private final Kind kind;
  private final Duration duration;

  private Lease(Kind kind, Duration duration) {
    this.kind = kind;
    this.duration = duration;
  }

  /**
   * Removed {@code duration} after the space took the tuple.
   *
   * @throws IllegalArgumentException if {@code duration} is not positive
   */
  public static Lease of(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("Lease.of : " + duration + " (expected: > 0)");
    }
    return new Lease(Kind.TIMED, duration);
  }

  /** Removed when the writing process leaves the space's group or dies. */
  public static Lease whileAlive() {
    return WHILE_ALIVE;
  }

  /** Which kind of lease. */
  public Kind kind() {
    return kind;
  }

  /** For {@link Kind#TIMED}, how long; zero otherwise. */
  public Duration duration() {
    return duration;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case FOREVER -> "Lease.FOREVER";
      case WHILE_ALIVE -> "Lease.whileAlive()";
      case TIMED -> "Lease.of(" + duration + ")";
    };
  }
}
