package dev.moonwire.rpc.runtime.internal.call;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/** Runs a proxy's default methods, whether or not their interface is public. */
public final class DefaultMethods {
  private DefaultMethods() {}

  /**
   * Runs default method {@code method} on {@code proxy}. {@code InvocationHandler.invokeDefault}
   * only reaches those of interfaces this module can access; a non-public interface's are
   * reached through a lookup in the interface's own package (open to this module: the class
   * path's always is).
   */
  public static Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    try {
      return InvocationHandler.invokeDefault(proxy, method, args);
    } catch (IllegalAccessException inaccessible) {
      Class<?> declaring = method.getDeclaringClass();
      MethodHandle handle;
      try {
        DefaultMethods.class.getModule().addReads(declaring.getModule());
        handle = MethodHandles.privateLookupIn(declaring, MethodHandles.lookup())
            .unreflectSpecial(method, declaring);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot run default method " + method + ": "
            + e.getMessage() + " (expected: a public interface, or its package open to "
            + DefaultMethods.class.getModule().getName() + ")");
      }
      Object[] all = new Object[1 + (args == null ? 0 : args.length)];
      all[0] = proxy;
      if (args != null) {
        System.arraycopy(args, 0, all, 1, args.length);
      }
      return handle.invokeWithArguments(all);
    }
  }
}
