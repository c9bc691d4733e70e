package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.internal.HeldBytes;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SerializationException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/**
 * Checks at {@code out} that every field of a tuple is of a type Moonwire's wire encodes without
 * a registration (DESIGN §4: boxed primitives, strings, arrays, the common collections,
 * records), so a tuple that could not reach the other members fails at its writer, typed,
 * instead of in the middle of the group's order. The local space checks it too: a program that
 * moves to a replicated space must not find out then.
 */
public final class WireCheck {
  private static final int DEPTH = 16;
  /** The array classes the wire carries (WireKryo's built-ins). */
  private static final java.util.Set<Class<?>> WIRE_ARRAYS = java.util.Set.of(Object[].class,
      String[].class, Integer[].class, Long[].class, Double[].class);

  private WireCheck() {}

  /**
   * Throws unless every field of {@code t} can cross the wire.
   *
   * @throws SerializationException naming the space, the field and the class
   */
  public static void check(String space, Tuple t) {
    for (int i = 0; i < t.size(); i++) {
      String bad = offending(t.get(i), 0);
      if (bad != null) {
        throw new SerializationException("tuple space '" + space + "': field " + i + " of " + t
            + " holds a " + bad + ", which cannot cross the wire (expected: boxed primitives, "
            + "String, enums, ProcessId, arrays, List/Set/Map and records of those); nothing "
            + "was written");
      }
    }
  }

  /** The class name of the first value in {@code v} that cannot cross the wire, or null. */
  private static String offending(Object v, int depth) {
    if (v == null) {
      return null;
    }
    if (depth > DEPTH) {
      return "structure nested deeper than " + DEPTH;
    }
    Class<?> c = v.getClass();
    if (v instanceof String || v instanceof Number && c.getName().startsWith("java.lang.")
        || v instanceof Boolean || v instanceof Character || v instanceof ProcessId
        || c.isEnum() || (c.getSuperclass() != null && c.getSuperclass().isEnum())) {
      return null;
    }
    if (c.isArray()) {
      if (c.getComponentType().isPrimitive()) {
        return null;
      }
      if (!WIRE_ARRAYS.contains(c)) {
        return c.getName() + " (arrays on the wire: of primitives, Object, String, Integer, "
            + "Long, Double; use a List for others)";
      }
      for (Object e : (Object[]) v) {
        String bad = offending(e, depth + 1);
        if (bad != null) {
          return bad;
        }
      }
      return null;
    }
    if (v instanceof Collection<?> col && c.getName().startsWith("java.util.")) {
      for (Object e : col) {
        String bad = offending(e, depth + 1);
        if (bad != null) {
          return bad;
        }
      }
      return null;
    }
    if (v instanceof Map<?, ?> m && c.getName().startsWith("java.util.")) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String bad = offending(e.getKey(), depth + 1);
        if (bad == null) {
          bad = offending(e.getValue(), depth + 1);
        }
        if (bad != null) {
          return bad;
        }
      }
      return null;
    }
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        Object value;
        try {
          var accessor = rc.getAccessor();
          if (!accessor.canAccess(v) && !accessor.trySetAccessible()) {
            return null; // not readable from here: the wire's own check decides
          }
          value = accessor.invoke(v);
        } catch (ReflectiveOperationException | RuntimeException e) {
          return c.getName() + " (its component " + rc.getName() + " cannot be read: " + e + ")";
        }
        String bad = offending(value, depth + 1);
        if (bad != null) {
          return bad;
        }
      }
      return null;
    }
    return c.getName();
  }

  /** About how many bytes {@code t} takes on the wire. */
  public static long bytes(Tuple t) {
    return HeldBytes.estimate("", t.fields().toArray());
  }
}
