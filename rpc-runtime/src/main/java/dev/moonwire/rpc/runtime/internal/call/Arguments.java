package dev.moonwire.rpc.runtime.internal.call;

import dev.moonwire.rpc.BadArgumentsException;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/** The caller's side of a typed call: arguments checked against the method's parameters. */
public final class Arguments {
  private Arguments() {}

  /**
   * Checks each argument against its parameter's (erased) type — what javac cannot see through
   * raw types and unchecked casts — before anything is sent.
   *
   * @throws BadArgumentsException naming the first argument that does not fit
   */
  public static void check(Method method, Object[] args) {
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      Object v = args[i];
      Class<?> t = types[i];
      boolean fits = v == null ? !t.isPrimitive()
          : (t.isPrimitive() ? MethodType.methodType(t).wrap().returnType() : t).isInstance(v);
      if (!fits) {
        throw new BadArgumentsException("argument " + i + " of '" + method.getName() + "' is "
            + dev.moonwire.rpc.internal.Text.aValueOf(v) + " (expected: "
            + dev.moonwire.rpc.internal.Text.a(t) + "); nothing was sent");
      }
    }
  }
}
