package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.ProcessId;
import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Map;

/**
 * The bytes of the multicast messages this process holds back, all groups together, and their
 * bound: held messages are pinned outside the inbound budget (their frames were released when
 * their events ended), so they get a budget of their own, {@link #MAX} — a quarter of the
 * default {@code maxQueuedBytes}. A message's size is estimated from its decoded arguments.
 *
 * <p>Touched only in the process's events (messages arrive, are agreed and delivered in them),
 * one at a time: no lock.
 */
public final class HeldBytes {
  /** The most bytes of messages held back at once, every group together. */
  public static final long MAX = 4L << 20;
  /** What an argument of a type not measured here is taken to cost. */
  private static final int OTHER = 64;

  private long used;

  /** Takes {@code bytes} if they fit; false (nothing taken) if not. */
  public boolean tryTake(long bytes) {
    if (used + bytes > MAX) {
      return false;
    }
    used += bytes;
    return true;
  }

  public void release(long bytes) {
    used -= bytes;
  }

  public long used() {
    return used;
  }

  /** About how many bytes {@code function(args)} takes, as its frame would: at least 64. */
  public static long estimate(String function, Object[] args) {
    return OTHER + function.length() + of(args, 0);
  }

  private static long of(Object o, int depth) {
    if (o == null || depth > 8) {
      return 1;
    }
    if (o instanceof String s) {
      return 8 + 3L * s.length(); // UTF-8 at worst
    }
    if (o instanceof Number || o instanceof Boolean || o instanceof Character) {
      return 9;
    }
    if (o instanceof ProcessId p) {
      return 16L + p.host().length();
    }
    if (o instanceof byte[] b) {
      return 8L + b.length;
    }
    if (o.getClass().isArray()) {
      int n = Array.getLength(o);
      if (o.getClass().getComponentType().isPrimitive()) {
        return 8 + 8L * n;
      }
      long sum = 8;
      for (int i = 0; i < n; i++) {
        sum += of(Array.get(o, i), depth + 1);
      }
      return sum;
    }
    if (o instanceof Collection<?> c) {
      long sum = 8;
      for (Object e : c) {
        sum += of(e, depth + 1);
      }
      return sum;
    }
    if (o instanceof Map<?, ?> m) {
      long sum = 8;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sum += of(e.getKey(), depth + 1) + of(e.getValue(), depth + 1);
      }
      return sum;
    }
    return OTHER;
  }
}
