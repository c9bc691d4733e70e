package dev.moonwire.csp;

import dev.moonwire.csp.internal.Case;
import dev.moonwire.csp.internal.Selection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Csp.lua's {@code Alt}: of the branches whose guard is ready, exactly one is taken and its
 * action runs.
 *
 * <pre>{@code
 * String r = Alt.select(
 *     Alt.read(ch1, v -> "ch1: hello " + v),
 *     Alt.read(ch2, v -> "ch2: hello " + v).when(count < max),
 *     Alt.write(out, 7, () -> "sent"),
 *     Alt.after(Duration.ofSeconds(1), () -> "nothing for a second"));
 * }</pre>
 *
 * <p><b>Exactly one.</b> A read guard is ready when the channel holds a value or a writer waits,
 * a write guard when a reader waits or a cell is free. The branch taken has really happened
 * (its value was taken, or handed over) and no other branch has, even when other Alts and plain
 * reads and writes race for the same channels from other processes and threads: a waiting Alt
 * is served by whoever first wins its single commit cell. Two Alts never deadlock (their
 * channels are locked one at a time or in one global order).
 *
 * <p><b>Fair.</b> Each select of a thread starts looking one branch further than the last: a
 * branch ready at every select of that thread is passed over at most n−1 times in a row.
 * {@link #skip} and {@link #after} are taken only when no channel branch is ready (Go's
 * {@code default}).
 *
 * <p><b>Waiting.</b> With nothing ready, {@code select} waits — a suspension point inside an
 * event, a blocking wait elsewhere; it works on any thread. A cancelled wait throws
 * {@link dev.moonwire.rpc.CancelledException} and takes and gives nothing. The action runs on the
 * selecting thread, after the commit; what it throws, {@code select} throws.
 */
public final class Alt {
  private Alt() {}

  /**
   * One branch of a select: a guard, a condition ({@link #when}) and an action. Immutable.
   *
   * @param <R> what its action returns
   */
  public static final class Guard<R> {
    private final Case<R> branch;

    private Guard(Case<R> branch) {
      this.branch = branch;
    }

    /**
     * This branch, enabled only if {@code condition} holds (the seed's {@code cond}); a branch
     * whose condition is false is never taken.
     */
    public Guard<R> when(boolean condition) {
      return new Guard<>(branch.when(condition));
    }
  }

  /**
   * Waits until one branch is ready, takes it, and returns what its action returns.
   *
   * @throws IllegalStateException at once if every branch's condition is false and no enabled
   *     {@code after} or {@code skip} is among them: nothing could ever be ready
   * @throws ChannelClosedException if the branch taken reads a closed channel that holds nothing
   *     more, or writes a closed channel (such a branch counts as ready)
   * @throws dev.moonwire.rpc.CancelledException if the wait is cancelled; no branch was taken
   * @throws IllegalArgumentException if {@code guards} is empty
   */
  @SafeVarargs
  public static <R> R select(Guard<? extends R>... guards) {
    Objects.requireNonNull(guards, "guards");
    if (guards.length == 0) {
      throw new IllegalArgumentException("Alt.select of no branch (expected: at least one)");
    }
    List<Case<? extends R>> cases = new ArrayList<>(guards.length);
    for (Guard<? extends R> g : guards) {
      cases.add(Objects.requireNonNull(g, "guard").branch);
    }
    return Selection.select(cases);
  }

  /**
   * Ready when {@code channel} has a value to take; taken, it gives the value to {@code action}.
   * {@code channel} may be a {@linkplain Channels#remote remote} one: the select then asks its
   * owner to reserve a value (one call), sends nothing more while it waits, and gives the value
   * back if another branch won meanwhile.
   *
   * @throws IllegalArgumentException if {@code channel} was made neither by
   *     {@link Channel#create} nor by {@link Channels#remote}
   */
  public static <T, R> Guard<R> read(Channel<T> channel, Function<? super T, ? extends R> action) {
    return new Guard<>(Case.read(channel, action));
  }

  /**
   * Ready when {@code channel} accepts {@code value} now; taken, the value is in (or handed
   * over) and {@code action} runs.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code channel} was not made by {@link Channel#create}
   */
  public static <T, R> Guard<R> write(Channel<T> channel, T value, Supplier<? extends R> action) {
    return new Guard<>(Case.write(channel, value, action));
  }

  /**
   * Ready once {@code duration} has passed since the select began, if no other branch was
   * taken by then (the earliest of several wins).
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public static <R> Guard<R> after(Duration duration, Supplier<? extends R> action) {
    return new Guard<>(Case.after(duration, action));
  }

  /** Ready at once: taken when no channel branch is ready now, so the select never waits. */
  public static <R> Guard<R> skip(Supplier<? extends R> action) {
    return new Guard<>(Case.skip(action));
  }
}
