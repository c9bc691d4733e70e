package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.call.Reply;

import dev.moonwire.rpc.Callback;
import dev.moonwire.rpc.ErrorCallback;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcException;
import java.time.Duration;
import java.util.List;

/** {@code Rpc.async}'s function value: each call sends one request per target. */
record AsyncFunction(RuntimeProcess process, List<ProcessId> targets, String function,
    Callback<?> callback, ErrorCallback onError, Duration deadline) implements RemoteFunction {

  @Override
  public void call(Object... args) {
    for (ProcessId target : targets) {
      try {
        process.call(target, function, args, deadline, reply -> {
          if (!process.scheduler().trySubmit(() -> deliver(reply))) {
            reply.discard(); // the process has stopped: nobody will read it
          }
        });
      } catch (ProcessClosedException e) {
        throw e; // no event of a closed process will ever run to report it
      } catch (RpcException e) {
        process.scheduler().submit(() -> fail(e));
      }
    }
  }

  @Override
  public RemoteFunction withDeadline(Duration deadline) {
    return new AsyncFunction(process, targets, function, callback, onError,
        dev.moonwire.rpc.runtime.internal.Deadlines.positive(deadline));
  }

  @SuppressWarnings("unchecked")
  private void deliver(Reply reply) {
    Object value;
    try {
      value = reply.get();
    } catch (RpcException e) {
      fail(e);
      return;
    }
    try {
      ((Callback<Object>) callback).onReply(value);
    } catch (Throwable t) {
      process.reportUncaught(t);
    }
  }

  private void fail(RpcException e) {
    if (onError == null) {
      process.reportUncaught(e);
      return;
    }
    try {
      onError.onError(e);
    } catch (Throwable t) {
      process.reportUncaught(t);
    }
  }
}
