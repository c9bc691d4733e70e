package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.call.Arguments;
import dev.moonwire.rpc.runtime.internal.call.DefaultMethods;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code Rpc.sync(process, Interface.class)}: each method calls the function of the same name —
 * synchronously, or, for a method that returns a stage or future, asynchronously.
 * {@code toString}, {@code equals} and {@code hashCode} are local; default methods run locally
 * and may call the remote ones.
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
      return DefaultMethods.invoke(proxy, method, args);
    }
    Object[] values = args == null ? new Object[0] : args;
    Arguments.check(method, values);
    Class<?> r = method.getReturnType();
    if (r == CompletionStage.class || r == CompletableFuture.class || r == RpcFuture.class) {
      RpcFuture<Object> f = FutureCall.send(process, target, method.getName(), values, deadline);
      return method.getExceptionTypes().length == 0 ? f : withDeclared(method, f); // all three
    }
    Object value;
    try {
      value = SyncCall.invoke(process, target, method.getName(), values, deadline);
    } catch (RemoteInvocationException e) {
      throw declared(method, e);
    }
    if (r == void.class) {
      return null;
    }
    if (value == null ? r.isPrimitive() : !wrap(r).isInstance(value)) {
      throw new SerializationException("reply of '" + method.getName() + "' on " + target
          + " is " + dev.moonwire.rpc.internal.Text.aValueOf(value) + " (expected: " + dev.moonwire.rpc.internal.Text.a(r)
          + "; do both sides use the same interface?)");
    }
    return value;
  }

  /** {@code f}, failing with the method's declared exceptions as {@link #declared} makes them. */
  private RpcFuture<Object> withDeclared(Method method, RpcFuture<Object> f) {
    SyncFuture<Object> out = new SyncFuture<>(process);
    f.whenComplete((v, e) -> {
      if (e == null) {
        out.complete(v);
        return;
      }
      Throwable cause = e instanceof java.util.concurrent.CompletionException
          && e.getCause() != null ? e.getCause() : e;
      out.completeExceptionally(cause instanceof RemoteInvocationException remote
          ? declared(method, remote) : cause);
    });
    out.onCancel(() -> f.cancel(true));
    return out;
  }

  /**
   * The remote failure as the exception the method declares, if it declares the remote one's
   * class (by name: only a class of the {@code throws} clause is ever made); else {@code e}.
   */
  static Throwable declared(Method method, RemoteInvocationException e) {
    for (Class<?> declared : method.getExceptionTypes()) {
      if (!declared.getName().equals(e.remoteClass())) {
        continue;
      }
      try {
        Throwable t;
        try {
          Constructor<?> withMessage = declared.getConstructor(String.class);
          t = (Throwable) withMessage.newInstance(e.remoteMessage());
        } catch (NoSuchMethodException noMessage) {
          t = (Throwable) declared.getConstructor().newInstance();
        }
        t.initCause(e); // the remote stack, and where the call was made
        return t;
      } catch (ReflectiveOperationException | RuntimeException cannot) {
        return e; // no public (String) or () constructor, or a cause already set
      }
    }
    return e;
  }

  private static Class<?> wrap(Class<?> c) {
    return c.isPrimitive() ? java.lang.invoke.MethodType.methodType(c).wrap().returnType() : c;
  }
}
