package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
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
      return InvocationHandler.invokeDefault(proxy, method, args);
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

  private static Class<?> wrap(Class<?> c) {
    return c.isPrimitive() ? java.lang.invoke.MethodType.methodType(c).wrap().returnType() : c;
  }
}
