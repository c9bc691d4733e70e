package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.call.PendingCall;
import dev.moonwire.rpc.runtime.internal.call.Reply;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SyncFunction;
import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.time.Duration;

/** {@code Rpc.sync(process, name)}: a call that suspends (in an event) or blocks (elsewhere). */
record SyncCall(RuntimeProcess process, ProcessId target, String function, Duration deadline)
    implements SyncFunction {

  @Override
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // the caller names the type
  public <T> T call(Object... args) {
    return (T) invoke(process, target, function, args, deadline);
  }

  @Override
  public SyncFunction withDeadline(Duration deadline) {
    return new SyncCall(process, target, function, dev.moonwire.rpc.runtime.internal.Deadlines.positive(deadline));
  }

  /** The one synchronous call path, shared by {@code Rpc.sync} functions and proxies. */
  static Object invoke(RuntimeProcess process, ProcessId target, String function, Object[] args,
      Duration deadline) {
    Waiter w = Waiter.forCurrentThread();
    PendingCall call = process.call(target, function, args, deadline, w);
    Reply r = w.await(call::cancel);
    if (w.interrupted() && !call.cancel() && Waiter.onBaton()) {
      // the reply came just as the request was cancelled: the handler stops here all the same
      r.discard();
      throw new CancelledException("the request was cancelled during its call to '" + function
          + "' on " + target);
    }
    return r.get();
  }
}
