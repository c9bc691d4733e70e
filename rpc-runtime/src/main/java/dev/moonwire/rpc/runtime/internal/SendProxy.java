package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.call.Arguments;
import dev.moonwire.rpc.runtime.internal.call.DefaultMethods;

import dev.moonwire.rpc.ProcessId;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * {@code send(targets, Interface.class)}: each {@code void} method is a one-way send of the
 * function of the same name (after the prefix, if any) to every target. Default methods and {@code Object}'s run locally.
 */
final class SendProxy implements InvocationHandler {
  private final RuntimeProcess process;
  private final List<ProcessId> targets;
  private final String prefix;
  private final Class<?> type;

  private SendProxy(RuntimeProcess process, List<ProcessId> targets, String prefix,
      Class<?> type) {
    this.process = process;
    this.targets = targets;
    this.prefix = prefix;
    this.type = type;
  }

  /** {@code prefix} is put before each method's name: "" or the export's prefix and a dot. */
  static <T> T create(RuntimeProcess process, List<ProcessId> targets, String prefix,
      Class<T> type) {
    if (!type.isInterface()) {
      throw new IllegalArgumentException("send : " + type.getName() + " (expected: an interface)");
    }
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        new SendProxy(process, targets, prefix, type)));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "toString" -> type.getSimpleName() + "@send" + targets;
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> proxy == args[0];
        default -> throw new IllegalStateException(method.toString());
      };
    }
    if (method.isDefault()) {
      return DefaultMethods.invoke(proxy, method, args);
    }
    if (method.getReturnType() != void.class) {
      throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName()
          + " returns " + method.getReturnType().getName() + " (expected: void; a one-way send "
          + "has no reply: call it through sync(target, " + type.getSimpleName() + ".class))");
    }
    Object[] values = args == null ? new Object[0] : args;
    Arguments.check(method, values);
    process.send(targets, prefix + method.getName(), values);
    return null;
  }
}
