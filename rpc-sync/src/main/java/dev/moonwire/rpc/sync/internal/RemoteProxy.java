package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;

/**
 * {@code Rpc.sync(process, Interface.class)}: each method is a synchronous call of the function
 * of the same name. {@code toString}, {@code equals} and {@code hashCode} are local; default
 * methods run locally and may call the remote ones.
 */
final class RemoteProxy implements InvocationHandler {
  private final RuntimeProcess process;
  private final ProcessId target;
  private final Class<?> type;
  private final Duration deadline;

  private RemoteProxy(RuntimeProcess process, ProcessId target, Class<?> type, Duration deadline) {
    this.process = process;
    this.target = target;
    this.type = type;
    this.deadline = deadline;
  }

  static <T> T create(RuntimeProcess process, ProcessId target, Class<T> type,
      Duration deadline) {
    if (!type.isInterface()) {
      throw new IllegalArgumentException("sync : " + type.getName() + " (expected: an interface)");
    }
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        new RemoteProxy(process, target, type, deadline)));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "toString" -> type.getSimpleName() + "@" + target;
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> proxy == args[0];
        default -> throw new IllegalStateException(method.toString());
      };
    }
    if (method.isDefault()) {
      return invokeDefault(proxy, method, args);
    }
    Object value = SyncCall.invoke(process, target, method.getName(),
        args == null ? new Object[0] : args, deadline);
    Class<?> r = method.getReturnType();
    if (r == void.class) {
      return null;
    }
    if (value == null ? r.isPrimitive() : !wrap(r).isInstance(value)) {
      throw new SerializationException("reply of '" + method.getName() + "' on " + target
          + " is " + (value == null ? "null" : "a " + value.getClass().getName())
          + " (expected: " + r.getName() + "; do both sides use the same interface?)");
    }
    return value;
  }

  /**
   * Runs a default method on the proxy. {@code InvocationHandler.invokeDefault} only reaches
   * those of interfaces this class can access; a non-public interface's are reached through a
   * lookup in the interface's own package (open to this module: the class path's always is).
   */
  private static Object invokeDefault(Object proxy, Method method, Object[] args)
      throws Throwable {
    try {
      return InvocationHandler.invokeDefault(proxy, method, args);
    } catch (IllegalAccessException inaccessible) {
      Class<?> declaring = method.getDeclaringClass();
      MethodHandle handle;
      try {
        RemoteProxy.class.getModule().addReads(declaring.getModule());
        handle = MethodHandles.privateLookupIn(declaring, MethodHandles.lookup())
            .unreflectSpecial(method, declaring);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot run default method " + method + ": "
            + e.getMessage() + " (expected: a public interface, or its package open to "
            + RemoteProxy.class.getModule().getName() + ")");
      }
      Object[] all = new Object[1 + (args == null ? 0 : args.length)];
      all[0] = proxy;
      if (args != null) {
        System.arraycopy(args, 0, all, 1, args.length);
      }
      return handle.invokeWithArguments(all);
    }
  }

  private static Class<?> wrap(Class<?> c) {
    return c.isPrimitive() ? java.lang.invoke.MethodType.methodType(c).wrap().returnType() : c;
  }
}
