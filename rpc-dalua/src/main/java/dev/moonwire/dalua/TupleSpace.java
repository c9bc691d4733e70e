package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.space.LocalSpace;
import java.time.Duration;
import java.util.Optional;

/**
 * A tuple space (seed 000's LuaTS): processes coordinate by writing tuples ({@link #out}) and
 * taking ({@link #in}) or reading ({@link #rd}) those that match a {@link Template}. Among the
 * tuples that match, the oldest is taken; waiting {@code in}s and {@code rd}s are served oldest
 * first. A tuple is taken by exactly one {@code in} or {@code take}.
 *
 * <p>Two kinds: {@link #local()}, in this JVM, and {@link Dalua#space(String)}, replicated on
 * the members of a DALua group — every operation applied in the group's total order, so every
 * member holds the same tuples. Every method may be called from any thread. The waits of
 * {@code in}, {@code rd} and {@code take} are suspension points (DESIGN §2): inside an event of
 * a process they suspend it and the process serves its other events; elsewhere they block the
 * thread. A cancelled wait (the request's deadline or {@code CANCEL}, or the blocked thread
 * interrupted) throws {@link dev.moonwire.rpc.CancelledException} having taken nothing: the
 * request is withdrawn, and a tuple matched to it at the very moment of the cancellation stays in
 * the space (or is returned to the caller if it was already handed over: then the cancellation
 * waits for the next suspension point, as the interrupt status kept).
 *
 * <pre>{@code
 * TupleSpace ts = dalua.space("jobs");
 * ts.out(Tuple.of("job", 7, "resize"));
 * Tuple t = ts.in(Template.of("job", Integer.class, Template.ANY));
 * }</pre>
 */
public interface TupleSpace {
  /** A space in this JVM, holding at most {@link SpaceLimits#DEFAULT}. */
  static TupleSpace local() {
    return new LocalSpace("local", SpaceLimits.DEFAULT);
  }

  /** A space in this JVM, holding at most {@code limits}. */
  static TupleSpace local(SpaceLimits limits) {
    return new LocalSpace("local", limits);
  }

  /**
   * Writes {@code tuple}, to stay until taken. A waiting {@code in} that matches takes it at
   * once. Replicated: returns once the write has its place in the group's order and applied
   * here.
   *
   * @throws dev.moonwire.rpc.OverloadedException naming the space and its limit if it holds
   *     as many tuples or bytes as its {@link SpaceLimits}; nothing was written
   * @throws dev.moonwire.rpc.SerializationException naming the field if one is of a type that
   *     cannot cross the wire; nothing was written
   * @throws dev.moonwire.rpc.GroupException if this process is not a member of the group
   */
  default void out(Tuple tuple) {
    out(tuple, Lease.FOREVER);
  }

  /** Writes {@code tuple} under {@code lease}; otherwise as {@link #out(Tuple)}. */
  void out(Tuple tuple, Lease lease);

  /**
   * Takes the oldest tuple matching {@code template}, waiting (a suspension point) until there
   * is one.
   *
   * @throws dev.moonwire.rpc.CancelledException if the wait is cancelled; nothing was taken
   */
  Tuple in(Template template);

  /**
   * As {@link #in(Template)}, waiting at most {@code timeout}: empty if nothing matched by
   * then (nothing was taken).
   */
  Optional<Tuple> in(Template template, Duration timeout);

  /** Reads the oldest tuple matching {@code template} without taking it, waiting as {@link #in(Template)}. */
  Tuple rd(Template template);

  /** Takes the oldest tuple matching {@code template} if there is one now; never waits. */
  Optional<Tuple> inp(Template template);

  /** Reads the oldest tuple matching {@code template} if there is one now; never waits. */
  Optional<Tuple> rdp(Template template);

  /**
   * Takes the oldest tuple matching {@code template} on loan, waiting as {@link #in(Template)}:
   * see {@link Taken}.
   */
  Taken take(Template template);

  /** How many tuples the space holds now (those on loan not counted). */
  int size();
}
