package dev.moonwire.rpc.runtime.internal.call;


import dev.moonwire.rpc.runtime.internal.transport.Pending;

import dev.moonwire.rpc.runtime.internal.transport.Connection;
import dev.moonwire.rpc.runtime.internal.transport.Observed;
import dev.moonwire.rpc.runtime.internal.transport.Transport;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;

/**
 * A call sent and not yet ended. It lives in its connection's table from the moment it is sent
 * until whoever removes it from there — reply, error, deadline, cancel, lost connection —
 * completes it; removal is atomic, so a call ends exactly once.
 */
public final class PendingCall implements TimerTask, Pending {
  public final long id;
  public final String function;
  public final ProcessId target;
  public final Connection connection;
  private final ReplySink sink;
  private final long deadlineMillis;
  private volatile Timeout timeout;
  private volatile boolean done;
  /** Set before the call is sent when the process's observer watches it; null otherwise. */
  private Observation observation;

  private record Observation(RpcObserver.Call call, long startNanos, int bytesSent) {}

  public PendingCall(long id, String function, ProcessId target, Connection connection, ReplySink sink,
      long deadlineMillis) {
    this.id = id;
    this.function = function;
    this.target = target;
    this.connection = connection;
    this.sink = sink;
    this.deadlineMillis = deadlineMillis;
  }

  /** The observer watches this call, started at {@code startNanos}: its end will be told. */
  public void observe(RpcObserver.Call call, long startNanos, int frameBytes) {
    observation = new Observation(call, startNanos, frameBytes);
  }

  /** The observed call could not be sent after all (refused before any reply could come). */
  public void notSent(RpcException.Kind why) {
    Observation o = observation;
    if (o != null) {
      Observed.ended(o.call(), why, System.nanoTime() - o.startNanos(), 0, 0);
    }
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public void fail(RpcException failure) {
    complete(Reply.failure(failure));
  }

  public void armDeadline() {
    timeout = Transport.TIMER.newTimeout(this, deadlineMillis,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    if (done) {
      timeout.cancel();
    }
  }

  /** Ends the call; the caller must have removed it from its connection's table. */
  public void complete(Reply reply) {
    done = true;
    Timeout t = timeout;
    if (t != null) {
      t.cancel();
    }
    Observation o = observation;
    if (o != null) {
      Observed.ended(o.call(), reply.kind(), System.nanoTime() - o.startNanos(),
          o.bytesSent(), reply.bytes());
    }
    sink.complete(reply);
  }

  /** Deadline passed: fail the call and tell the callee to stop. */
  @Override
  public void run(Timeout t) {
    if (connection.remove(this)) {
      complete(Reply.failure(new DeadlineExceededException("call to '" + function + "' on "
          + target + " got no reply within its deadline of "
          + dev.moonwire.rpc.internal.Text.duration(Duration.ofMillis(deadlineMillis)))));
      connection.sendCancel(id);
    }
  }

  /**
   * Cancels the call if it is still pending: it completes with a {@link CancelledException}
   * and the callee is told to stop.
   *
   * @return true if this cancelled it, false if it had already ended
   */
  public boolean cancel() {
    if (connection.remove(this)) {
      complete(Reply.failure(new CancelledException("call to '" + function + "' on " + target
          + " was cancelled by its caller")));
      connection.sendCancel(id);
      return true;
    }
    return false;
  }
}
