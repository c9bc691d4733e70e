package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import java.util.Objects;

/**
 * A {@link Template} as it crosses the wire: a class travels as its name (no {@code Class} is
 * ever loaded from a name a peer sent), and matches a value whose class, a superclass or an
 * interface of it has that name.
 *
 * @param kinds per field: {@link #VALUE}, {@link #TYPE} or {@link #ANY}
 * @param values the value of each VALUE field (null elsewhere)
 * @param types the class name of each TYPE field (null elsewhere)
 */
@SuppressWarnings("ArrayRecordComponent") // the fields as sent
public record WireTemplate(int[] kinds, Object[] values, String[] types) {
  static final int VALUE = 0;
  static final int TYPE = 1;
  static final int ANY = 2;
  /** The most fields a template from the wire may have. */
  static final int MAX_FIELDS = 256;

  public WireTemplate {
    Objects.requireNonNull(kinds, "kinds");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(types, "types");
    if (kinds.length > MAX_FIELDS || values.length != kinds.length || types.length != kinds.length) {
      throw new IllegalArgumentException("template of " + kinds.length + " kinds, "
          + values.length + " values, " + types.length + " types (expected: as many of each, "
          + "at most " + MAX_FIELDS + ")");
    }
  }

  static WireTemplate of(Template t) {
    int n = t.size();
    int[] kinds = new int[n];
    Object[] values = new Object[n];
    String[] types = new String[n];
    for (int i = 0; i < n; i++) {
      Object f = t.field(i);
      if (f == Template.ANY) {
        kinds[i] = ANY;
      } else if (f instanceof Class<?> c) {
        kinds[i] = TYPE;
        types[i] = c.getName();
      } else {
        kinds[i] = VALUE;
        values[i] = f instanceof Template.Value v ? v.value() : f;
      }
    }
    return new WireTemplate(kinds, values, types);
  }

  int size() {
    return kinds.length;
  }

  boolean matches(Tuple t) {
    if (t.size() != kinds.length) {
      return false;
    }
    for (int i = 0; i < kinds.length; i++) {
      Object v = t.get(i);
      boolean ok = switch (kinds[i]) {
        case ANY -> true;
        case TYPE -> isA(v.getClass(), types[i]);
        default -> Objects.deepEquals(values[i], v);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isA(Class<?> c, String name) {
    for (Class<?> k = c; k != null; k = k.getSuperclass()) {
      if (k.getName().equals(name)) {
        return true;
      }
      for (Class<?> i : k.getInterfaces()) {
        if (isA(i, name)) {
          return true;
        }
      }
    }
    return false;
  }
}
