package dev.moonwire.rpc.internal;

import java.time.Duration;
import java.util.Map;

/**
 * How Moonwire's messages name types and durations, so that they read as a person would write
 * them: "an int", "a String", "1 ms", "2.5 s" — not "java.lang.Integer" or "PT0.001S".
 * Internal: not part of the API.
 */
public final class Text {
  private static final Map<Class<?>, String> PLAIN = Map.ofEntries(
      Map.entry(int.class, "an int"), Map.entry(Integer.class, "an int"),
      Map.entry(long.class, "a long"), Map.entry(Long.class, "a long"),
      Map.entry(double.class, "a double"), Map.entry(Double.class, "a double"),
      Map.entry(float.class, "a float"), Map.entry(Float.class, "a float"),
      Map.entry(short.class, "a short"), Map.entry(Short.class, "a short"),
      Map.entry(byte.class, "a byte"), Map.entry(Byte.class, "a byte"),
      Map.entry(char.class, "a char"), Map.entry(Character.class, "a char"),
      Map.entry(boolean.class, "a boolean"), Map.entry(Boolean.class, "a boolean"),
      Map.entry(String.class, "a String"), Map.entry(Object.class, "an Object"));

  private Text() {}

  /** {@code type} with its article: "an int", "a String", "a com.example.Order", "an int[]". */
  public static String a(Class<?> type) {
    String plain = PLAIN.get(type);
    if (plain != null) {
      return plain;
    }
    String name = type.isArray() ? type.getComponentType().getSimpleName() + "[]"
        : type.getPackageName().equals("java.lang") ? type.getSimpleName() : type.getName();
    return article(name) + " " + name;
  }

  /** {@code value}'s type with its article, or "null". */
  public static String aValueOf(Object value) {
    return value == null ? "null" : a(value.getClass());
  }

  private static String article(String word) {
    return "aeiouAEIOU".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
  }

  /** A duration as a person writes it: "250 µs", "1 ms", "30 s", "2.5 s", "5 min", "-5 ms". */
  public static String duration(Duration d) {
    if (d.isNegative()) {
      return "-" + duration(d.negated());
    }
    long nanos;
    try {
      nanos = d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.toDays() + " days";
    }
    if ((nanos < 1_000_000 && nanos % 1_000 == 0) || nanos < 1_000) {
      return nanos < 1_000 ? nanos + " ns" : nanos / 1_000 + " µs";
    }
    if (nanos < 1_000_000) {
      return trim(nanos / 1_000.0) + " µs";
    }
    if (nanos < 1_000_000_000L) {
      return trim(nanos / 1_000_000.0) + " ms";
    }
    if (nanos < 120_000_000_000L || nanos % 60_000_000_000L != 0) {
      return trim(nanos / 1_000_000_000.0) + " s";
    }
    return nanos / 60_000_000_000L + " min";
  }

  private static String trim(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
