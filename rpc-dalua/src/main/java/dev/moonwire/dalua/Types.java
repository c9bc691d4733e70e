package dev.moonwire.dalua;

/** Primitive classes and their boxes, for templates and {@link Tuple#get(int, Class)}. */
final class Types {
  private Types() {}

  static Class<?> box(Class<?> c) {
    if (!c.isPrimitive()) {
      return c;
    }
    if (c == int.class) {
      return Integer.class;
    } else if (c == long.class) {
      return Long.class;
    } else if (c == double.class) {
      return Double.class;
    } else if (c == boolean.class) {
      return Boolean.class;
    } else if (c == char.class) {
      return Character.class;
    } else if (c == byte.class) {
      return Byte.class;
    } else if (c == short.class) {
      return Short.class;
    } else if (c == float.class) {
      return Float.class;
    }
    return Void.class;
  }
}
