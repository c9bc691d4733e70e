package dev.moonwire.dalua;

import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@link TupleSpace#in}, {@code rd}, {@code inp}, {@code rdp} and {@code take} look for: a
 * tuple of as many fields, each matching its template field. A value matches an equal value
 * (arrays by content); a {@code Class} any instance of it, subtypes too ({@code int.class} as
 * {@code Integer.class}); {@link #ANY} anything; {@link #value(Object) value(x)} {@code x} itself
 * — the way to match a {@code Class} or {@code ANY} as a value. Immutable.
 *
 * <pre>{@code
 * Template jobs = Template.of("job", Integer.class, Template.ANY);
 * }</pre>
 */
public final class Template {
  /** A template field that matches any value. */
  public static final Object ANY = new Object() {
    @Override
    public String toString() {
      return "ANY";
    }
  };

  /** A template field that matches one value by equality, even a {@code Class} or {@link #ANY}. */
  public record Value(Object value) {
    /** The field matching {@code value}; non-null. */
    public Value {
      Objects.requireNonNull(value, "value");
    }
  }

  private final Object[] fields;

  private Template(Object[] fields) {
    this.fields = fields;
  }

  /**
   * The template of {@code fields}: values, classes, {@link #ANY}, or {@link #value}s.
   *
   * @throws NullPointerException naming the position of a null field
   * @throws IllegalArgumentException if there is no field
   */
  public static Template of(Object... fields) {
    Objects.requireNonNull(fields, "fields");
    if (fields.length == 0) {
      throw new IllegalArgumentException("Template.of : no field (expected: at least one)");
    }
    Object[] copy = fields.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] == null) {
        throw new NullPointerException("Template.of : field " + i
            + " is null (expected: a value, a Class, Template.ANY or Template.value(x))");
      }
      if (copy[i] instanceof Class<?> c && c.isPrimitive()) {
        copy[i] = MethodType.methodType(c).wrap().returnType();
      }
    }
    return new Template(copy);
  }

  /** A template field matching {@code x} itself (by equality), even if it is a {@code Class}. */
  public static Value value(Object x) {
    return new Value(x);
  }

  /** The number of fields. */
  public int size() {
    return fields.length;
  }

  /** Field {@code i} as given to {@link #of}: a value, a {@code Class}, {@link #ANY} or a {@link Value}. */
  public Object field(int i) {
    return fields[Objects.checkIndex(i, fields.length)];
  }

  /** Whether {@code t} matches this template. */
  public boolean matches(Tuple t) {
    if (t.size() != fields.length) {
      return false;
    }
    for (int i = 0; i < fields.length; i++) {
      if (!fieldMatches(fields[i], t.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean fieldMatches(Object field, Object v) {
    if (field == ANY) {
      return true;
    }
    if (field instanceof Class<?> c) {
      return c.isInstance(v);
    }
    Object wanted = field instanceof Value x ? x.value() : field;
    return Objects.deepEquals(wanted, v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Template t && Arrays.deepEquals(fields, t.fields);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(fields);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("<");
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      Object f = fields[i];
      s.append(f instanceof Class<?> c ? c.getSimpleName() + ".class" : String.valueOf(f));
    }
    return s.append('>').toString();
  }
}
