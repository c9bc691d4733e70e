package dev.moonwire.rpc.runtime.internal.dispatch;

import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.Handler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the methods of an interface into handlers: one function per method name, overloads told
 * apart by their number of parameters. Arguments are checked against the parameter types
 * before the method runs.
 */
public final class InterfaceExporter {
  private InterfaceExporter() {}

  public static <T> Map<String, Handler> handlers(String prefix, Class<T> type, T impl) {
    if (!type.isInterface()) {
      throw new IllegalArgumentException(
          "export : " + type.getName() + " (expected: an interface)");
    }
    if (!type.isInstance(impl)) {
      throw new IllegalArgumentException("export : " + impl.getClass().getName()
          + " does not implement " + type.getName());
    }
    Map<String, Map<Integer, Method>> byName = new TreeMap<>();
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Method clash = byName.computeIfAbsent(m.getName(), k -> new HashMap<>())
          .putIfAbsent(m.getParameterCount(), m);
      if (clash != null && !sameSignature(clash, m)) {
        throw new IllegalArgumentException("export : " + type.getName() + "." + m.getName()
            + " has two overloads with " + m.getParameterCount()
            + " parameters (expected: overloads that differ in their number of parameters)");
      }
      m.trySetAccessible();
    }
    Map<String, Handler> handlers = new LinkedHashMap<>();
    byName.forEach((name, methods) -> {
      String function = prefix == null ? name : prefix + "." + name;
      Map<Integer, Overload> overloads = new HashMap<>();
      methods.forEach((arity, m) -> overloads.put(arity, new Overload(m, m.getParameterTypes())));
      handlers.put(function, args -> invoke(function, overloads, impl, args));
    });
    return handlers;
  }

  private static boolean sameSignature(Method a, Method b) {
    return java.util.Arrays.equals(a.getParameterTypes(), b.getParameterTypes());
  }

  /**
   * A method with its parameter types, read once: {@code Method.getParameterTypes} copies its
   * array on every call.
   */
  private record Overload(Method method, Class<?>[] types) {}

  private static Object invoke(String function, Map<Integer, Overload> overloads, Object impl,
      Args args) throws Exception {
    Overload o = overloads.get(args.size());
    if (o == null) {
      throw new BadArgumentsException("function '" + function + "' : " + args.size()
          + " argument(s) (expected: " + overloads.keySet().stream().sorted().map(String::valueOf)
          .reduce((a, b) -> a + " or " + b).orElse("?") + ")");
    }
    Class<?>[] types = o.types();
    Method m = o.method();
    Object[] values = args.toArray();
    for (int i = 0; i < types.length; i++) {
      values[i] = fit(function, i, types[i], values[i]);
    }
    try {
      return m.invoke(impl, values);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw (Error) cause;
    }
  }

  private static Object fit(String function, int index, Class<?> type, Object value) {
    Class<?> boxed = type.isPrimitive() ? box(type) : type;
    if (value == null) {
      if (type.isPrimitive()) {
        throw new BadArgumentsException("function '" + function + "' : argument " + index
            + " is null (expected: " + dev.moonwire.rpc.internal.Text.a(type) + ")");
      }
      return null;
    }
    if (boxed.isInstance(value)) {
      return value;
    }
    // Widen integral numbers where Java would: an int argument for a long parameter.
    if (value instanceof Integer i && boxed == Long.class) {
      return i.longValue();
    }
    if (value instanceof Number n && boxed == Double.class
        && (value instanceof Integer || value instanceof Long || value instanceof Float)) {
      return n.doubleValue();
    }
    throw new BadArgumentsException("function '" + function + "' : argument " + index + " is "
        + dev.moonwire.rpc.internal.Text.aValueOf(value) + " (expected: " + dev.moonwire.rpc.internal.Text.a(type) + ")");
  }

  private static Class<?> box(Class<?> p) {
    if (p == int.class) return Integer.class;
    if (p == long.class) return Long.class;
    if (p == double.class) return Double.class;
    if (p == boolean.class) return Boolean.class;
    if (p == float.class) return Float.class;
    if (p == short.class) return Short.class;
    if (p == byte.class) return Byte.class;
    return Character.class;
  }
}
