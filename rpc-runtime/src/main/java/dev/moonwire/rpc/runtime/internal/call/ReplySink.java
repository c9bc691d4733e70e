package dev.moonwire.rpc.runtime.internal.call;

/**
 * Where a call's outcome goes. {@link #complete} is called exactly once per call, on whatever
 * thread ended the call (an I/O thread, the timer, the caller on a failure to send); it must
 * not block and must not run user code there: it hands the reply to the process or to the
 * waiting thread.
 */
@FunctionalInterface
public interface ReplySink {
  public void complete(Reply reply);
}
