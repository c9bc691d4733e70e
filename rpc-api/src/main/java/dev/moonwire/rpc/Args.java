package dev.moonwire.rpc;

import dev.moonwire.rpc.internal.Text;

import java.util.Arrays;
import java.util.Objects;

/**
 * The arguments of one call, by position, with typed accessors that fail the call with a
 * {@link BadArgumentsException} naming the function and the position when an argument is
 * missing or of the wrong type. Handlers may keep it beyond the call; it is never mutated.
 */
public final class Args {
  private final String function;
  private final Object[] values;

  private Args(String function, Object[] values) {
    this.function = function;
    this.values = values;
  }

  /** Arguments of a call to {@code function}; the array is used as given, not copied. */
  public static Args of(String function, Object... values) {
    return new Args(Objects.requireNonNull(function, "function"),
        values == null ? new Object[0] : values);
  }

  /** The name of the function called. */
  public String function() {
    return function;
  }

  /** How many arguments the caller passed. */
  public int size() {
    return values.length;
  }

  /**
   * Checks that exactly {@code count} arguments were passed.
   *
   * @throws BadArgumentsException if another number was passed
   */
  public Args expect(int count) {
    if (values.length != count) {
      throw new BadArgumentsException("function '" + function + "' : " + values.length
          + " argument(s) (expected: " + count + ")");
    }
    return this;
  }

  /**
   * The argument at {@code index}, of any type (may be null).
   *
   * @throws BadArgumentsException if fewer arguments were passed
   */
  public Object get(int index) {
    if (index < 0 || index >= values.length) {
      throw new BadArgumentsException("function '" + function + "' : no argument at position "
          + index + " (expected: " + (index + 1) + " or more arguments, got " + values.length + ")");
    }
    return values[index];
  }

  /**
   * The argument at {@code index} as a {@code type}; null stays null.
   *
   * @throws BadArgumentsException if it is missing or of another type
   */
  public <T> T get(int index, Class<T> type) {
    Object v = get(index);
    if (v == null || type.isInstance(v)) {
      return type.cast(v);
    }
    throw new BadArgumentsException("function '" + function + "' : argument " + index + " is "
        + Text.aValueOf(v) + " (expected: " + Text.a(type) + ")");
  }

  /** The argument at {@code index} as an int; see {@link #get(int, Class)}. */
  public int intAt(int index) {
    return nonNull(index, get(index, Integer.class), "an int");
  }

  /** The argument at {@code index} as a long; ints are widened. */
  public long longAt(int index) {
    Object v = get(index);
    if (v instanceof Integer i) {
      return i;
    }
    return nonNull(index, get(index, Long.class), "a long");
  }

  /** The argument at {@code index} as a double; any boxed number is widened. */
  public double doubleAt(int index) {
    Object v = get(index);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    return nonNull(index, get(index, Double.class), "a double");
  }

  /** The argument at {@code index} as a boolean. */
  public boolean booleanAt(int index) {
    return nonNull(index, get(index, Boolean.class), "a boolean");
  }

  /** The argument at {@code index} as a String (may be null). */
  public String stringAt(int index) {
    return get(index, String.class);
  }

  /** A copy of all the arguments. */
  public Object[] toArray() {
    return values.clone();
  }

  private <T> T nonNull(int index, T v, String expected) {
    if (v == null) {
      throw new BadArgumentsException("function '" + function + "' : argument " + index
          + " is null (expected: " + expected + ")");
    }
    return v;
  }

  @Override
  public String toString() {
    return function + Arrays.toString(values);
  }
}
