package dev.moonwire.dalua;

import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of non-null fields, the value a {@link TupleSpace} holds (seed 000's LuaTS):
 * {@code Tuple.of("job", 7, "resize")}. Immutable; equal when their fields are equal (arrays by
 * content). To cross the wire in a replicated space, each field must be a wire type: boxed
 * primitives, {@code String}, arrays, {@code List}/{@code Set}/{@code Map} of such, {@link
 * dev.moonwire.rpc.ProcessId}, or a record or enum made of such — records and enums registered
 * on every member's process ({@code RpcConfig.register}), as for any call. The space checks the
 * shape at {@code out} (it cannot see a process's registrations: an unregistered record fails
 * in the group's order, reported to the writer's uncaught-error handler).
 */
public final class Tuple {
  private final Object[] fields;

  private Tuple(Object[] fields) {
    this.fields = fields;
  }

  /**
   * The tuple of {@code fields}, in order.
   *
   * @throws NullPointerException naming the position of a null field
   * @throws IllegalArgumentException if there is no field
   */
  public static Tuple of(Object... fields) {
    Objects.requireNonNull(fields, "fields");
    if (fields.length == 0) {
      throw new IllegalArgumentException("Tuple.of : no field (expected: at least one)");
    }
    Object[] copy = fields.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] == null) {
        throw new NullPointerException("Tuple.of : field " + i + " is null (expected: non-null)");
      }
    }
    return new Tuple(copy);
  }

  /** The number of fields. */
  public int size() {
    return fields.length;
  }

  /** Field {@code i} (from 0). */
  public Object get(int i) {
    return fields[Objects.checkIndex(i, fields.length)];
  }

  /**
   * Field {@code i}, as {@code type}.
   *
   * @throws ClassCastException naming the field, its class and {@code type} if it is not one
   */
  public <T> T get(int i, Class<T> type) {
    Object v = get(i);
    Class<?> boxed = MethodType.methodType(type).wrap().returnType(); // the box of a primitive
    if (!boxed.isInstance(v)) {
      throw new ClassCastException("tuple field " + i + " is a " + v.getClass().getName()
          + " (expected: " + type.getName() + ") in " + this);
    }
    @SuppressWarnings("unchecked")
    T t = (T) v;
    return t;
  }

  /** The fields, in order (an unmodifiable view). */
  public List<Object> fields() {
    return List.of(fields);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tuple t && Arrays.deepEquals(fields, t.fields);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(fields);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(fields[i] instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(fields[i]));
    }
    return s.append(')').toString();
  }
}
