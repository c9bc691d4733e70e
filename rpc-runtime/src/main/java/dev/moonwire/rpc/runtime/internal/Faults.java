package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A seeded {@link FaultHook}: every message a process receives is held for a random
 * 0..{@code maxMillis} ms, so frames of one connection overtake each other, and
 * {@code dropPercent} percent of the one-way sends it receives are lost, as a send refused on
 * the way is (requests and replies are not: TCP loses nothing, and a refused call fails at its
 * caller). Each peer's delays come from a {@link Random} seeded with the seed and the peer's
 * id, so a failing run can be replayed (as far as thread timing allows).
 *
 * <p>A child JVM a test cannot reach into takes the same faults from the system property
 * {@code -Dmoonwire.faults=SEED:MAXMS[:DROPPERCENT]}, read once when each of its processes
 * opens; in the test's own JVM, install a hook with {@link RuntimeProcess#injectFaults}.
 */
public final class Faults implements FaultHook {
  static final String PROPERTY = "moonwire.faults";

  private final long seed;
  private final int maxMillis;
  private final int dropPercent;
  private final Map<ProcessId, Random> randoms = new ConcurrentHashMap<>();

  private Faults(long seed, int maxMillis, int dropPercent) {
    this.seed = seed;
    this.maxMillis = maxMillis;
    this.dropPercent = dropPercent;
  }

  /** Random delays of up to {@code maxMillis} and {@code dropPercent}% of one-way sends lost. */
  public static Faults seeded(long seed, int maxMillis, int dropPercent) {
    if (maxMillis < 0 || dropPercent < 0 || dropPercent > 100) {
      throw new IllegalArgumentException("faults : " + maxMillis + " ms, " + dropPercent
          + "% (expected: maxMillis >= 0, 0 <= dropPercent <= 100)");
    }
    return new Faults(seed, maxMillis, dropPercent);
  }

  /** The faults the system property asks for, or null for none. */
  static Faults fromProperty() {
    String spec = System.getProperty(PROPERTY);
    if (spec == null || spec.isBlank()) {
      return null;
    }
    String[] parts = spec.split(":", -1);
    try {
      return seeded(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
          parts.length > 2 ? Integer.parseInt(parts[2]) : 0);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(PROPERTY + " : '" + spec
          + "' (expected: SEED:MAXMS or SEED:MAXMS:DROPPERCENT)");
    }
  }

  @Override
  public long onReceive(ProcessId peer, Message message) {
    Random random = randoms.computeIfAbsent(peer,
        p -> new Random(seed * 31 + String.valueOf(p).hashCode()));
    synchronized (random) {
      if (dropPercent > 0 && message instanceof Message.Send
          && random.nextInt(100) < dropPercent) {
        return LOSE;
      }
      return maxMillis == 0 ? NOW : random.nextInt(maxMillis + 1);
    }
  }
}
