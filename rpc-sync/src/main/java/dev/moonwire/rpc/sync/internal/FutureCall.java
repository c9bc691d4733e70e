package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.time.Duration;

/** {@code Rpc.future(process, name)}: each call returns a {@link SyncFuture}. */
record FutureCall(RuntimeProcess process, ProcessId target, String function, Duration deadline)
    implements FutureFunction {

  @Override
  public <T> RpcFuture<T> call(Object... args) {
    SyncFuture<T> f = new SyncFuture<>(process);
    try {
      f.sent(process.call(target, function, args, deadline, f::arrived));
    } catch (RpcException e) {
      return SyncFuture.failed(process, e);
    }
    return f;
  }

  /** One call of {@code function}, as a typed proxy's asynchronous method makes it. */
  static <T> RpcFuture<T> send(RuntimeProcess process, ProcessId target, String function,
      Object[] args, Duration deadline) {
    return new FutureCall(process, target, function, deadline).call(args);
  }

  @Override
  public FutureFunction withDeadline(Duration deadline) {
    return new FutureCall(process, target, function, dev.moonwire.rpc.runtime.internal.Deadlines.positive(deadline));
  }
}
