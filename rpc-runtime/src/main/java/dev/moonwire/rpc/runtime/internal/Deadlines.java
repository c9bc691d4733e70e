package dev.moonwire.rpc.runtime.internal;

import java.time.Duration;
import java.util.Objects;

/** Checks what users give as deadlines. */
public final class Deadlines {
  private Deadlines() {}

  /**
   * {@code deadline}, checked.
   *
   * @throws IllegalArgumentException if it is not positive
   */
  public static Duration positive(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isZero() || deadline.isNegative()) {
      throw new IllegalArgumentException("deadline : "
          + dev.moonwire.rpc.internal.Text.duration(deadline) + " (expected: > 0)");
    }
    return deadline;
  }
}
