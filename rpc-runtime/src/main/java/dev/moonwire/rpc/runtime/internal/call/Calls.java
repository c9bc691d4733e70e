package dev.moonwire.rpc.runtime.internal.call;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.runtime.internal.transport.Budget;
import dev.moonwire.rpc.runtime.internal.transport.Connection;
import dev.moonwire.rpc.runtime.internal.transport.Connections;
import dev.moonwire.rpc.runtime.internal.transport.Endpoint;
import dev.moonwire.rpc.runtime.internal.transport.Observed;
import dev.moonwire.rpc.runtime.internal.transport.ReplyListener;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import dev.moonwire.rpc.runtime.internal.wire.WireCodec;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A process's outbound side: the call primitive every call style is built on, one-way sends,
 * and what comes back — replies, errors, and the notices of refused sends. Call ids, the
 * budget of unread replies and the table of pending calls (on each connection) are its state.
 */
public final class Calls implements ReplyListener {
  private final Endpoint process;
  private final RpcConfig config;
  private final WireCodec codec;
  private final Connections connections;
  private final RpcObserver observer; // null: every hook checks, nothing else runs
  private final BooleanSupplier closed;
  /** Nanoseconds left to the deadline of the request handled on this thread, or MAX_VALUE. */
  private final java.util.function.LongSupplier inheritedDeadline;
  private final AtomicLong callIds = new AtomicLong();
  /**
   * Unread replies have a budget of their own: admitted requests may keep the inbound one
   * between half and full for as long as load lasts, and reading must resume all the same.
   */
  private final Budget replies;

  public Calls(Endpoint process, WireCodec codec, Connections connections,
      RpcObserver observer, BooleanSupplier closed,
      java.util.function.LongSupplier inheritedDeadline) {
    this.inheritedDeadline = inheritedDeadline;
    this.process = process;
    this.config = process.config();
    this.codec = codec;
    this.connections = connections;
    this.observer = observer;
    this.closed = closed;
    this.replies = new Budget(config.maxQueuedBytes());
    replies.onRelief(() -> connections.resumeAll(Connection.PAUSED_FOR_REPLIES));
  }

  /**
   * Sends a request and arranges for {@code sink} to get its outcome exactly once. The deadline
   * is cut to what is left of the deadline of the request being handled on this thread, if any.
   *
   * @return the pending call, which can be cancelled
   * @throws RpcException at once, with nothing sent, if the arguments cannot be serialized, the
   *     process is closed, or the inherited deadline has already passed
   */
  public PendingCall call(ProcessId target, String function, Object[] args, Duration deadline,
      ReplySink sink) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(function, "function");
    ensureOpen();
    long millis = deadline.toMillis();
    long inherited = inheritedDeadline.getAsLong();
    if (inherited != Long.MAX_VALUE) {
      if (inherited <= 0) {
        throw new DeadlineExceededException("call to '" + function + "' on " + target
            + " not sent: the deadline of the request being handled has passed");
      }
      millis = Math.min(millis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(inherited)));
    }
    long callId = callIds.incrementAndGet();
    RpcObserver.Call observed = null;
    CallHeaders headers = null;
    long start = 0;
    if (observer != null) {
      headers = new CallHeaders();
      start = System.nanoTime();
      observed = Observed.clientCall(observer, target, function, headers);
    }
    OutFrame frame;
    Connection conn;
    try {
      // Encoded before any connection is made: arguments that cannot be sent touch no wire.
      frame = codec.encodeCall(ByteBufAllocator.DEFAULT, Frames.REQUEST, callId, millis,
          function, args == null ? new Object[0] : args, headers);
      conn = connections.forFrame(target, frame);
      if (conn.pendingCount() >= config.maxInFlight()) {
        frame.release();
        throw new OverloadedException("call to '" + function + "' on " + target + " not sent: "
            + config.maxInFlight() + " calls are already in flight to it (expected: fewer, or "
            + "a larger RpcConfig.withMaxInFlight)");
      }
    } catch (Throwable e) { // an Error too: the observed call ends
      Observed.ended(observed, e instanceof RpcException r ? r.kind()
          : RpcException.Kind.SERIALIZATION, System.nanoTime() - start, 0, 0);
      throw e;
    }
    PendingCall call = new PendingCall(callId, function, target, conn, sink, millis);
    if (observed != null) {
      call.observe(observed, start, frame.size()); // before the table publishes it
    }
    conn.add(call);
    if (!conn.offer(frame)) {
      frame.release();
      if (conn.remove(call)) {
        call.notSent(RpcException.Kind.OVERLOADED);
        throw new OverloadedException("call to '" + function + "' on " + target + " not sent: "
            + queuedOut());
      }
      // the connection closed meanwhile and has already failed the call: that is its outcome
    }
    call.armDeadline(); // after the frame is queued: its CANCEL can never go out before it
    return call;
  }

  /**
   * Sends {@code function(args)} one way to each of {@code targets}; what cannot be sent is
   * reported to the process's uncaught-error handler, never thrown.
   *
   * @throws ProcessClosedException if the process has closed
   */
  public void send(Collection<ProcessId> targets, String function, Object[] args) {
    Objects.requireNonNull(function, "function");
    ensureOpen();
    Object[] values = args == null ? new Object[0] : args;
    for (ProcessId target : new LinkedHashSet<>(targets)) {
      try {
        OutFrame frame = codec.encodeCall(ByteBufAllocator.DEFAULT, Frames.SEND, 0, 0, function,
            values);
        if (!connections.forFrame(target, frame).offer(frame)) {
          frame.release();
          process.refusals().overloaded(1, "one-way send to '" + function + "' on " + target
              + " refused: " + queuedOut());
        }
      } catch (RpcException e) {
        process.submitUser(() -> process.reportUncaught(e));
      }
    }
  }

  private String queuedOut() {
    Budget outbound = process.outbound();
    return outbound.used() + " bytes already wait to go out to peers (expected: at most "
        + outbound.limit() + ", RpcConfig.withMaxQueuedBytes)";
  }

  private void ensureOpen() {
    if (closed.getAsBoolean()) {
      throw new ProcessClosedException("process " + process.id() + " is closed");
    }
  }

  /** Bytes of replies received and not yet read by their callers. */
  public Budget replies() {
    return replies;
  }

  @Override
  public void reply(Connection conn, Message.Reply reply) {
    if (conn.take(reply.callId()) instanceof PendingCall call) {
      // A reply cannot be refused: the call has run. It counts until it is read, and a
      // process full of unread replies reads no more from that peer until they drain.
      long cost = (long) reply.payload().readableBytes() + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES;
      if (replies.take(cost)) {
        // on conn's event loop: a relief that raced this queues its resume after it
        conn.pause(Connection.PAUSED_FOR_REPLIES);
      }
      call.complete(Reply.value(codec, call.function, conn.schema,
          reply.payload().retain(), reply.frameBytes() + Frames.LENGTH_PREFIX_BYTES, replies,
          cost));
    }
  }

  @Override
  public void error(Connection conn, Message.Failure error) {
    long callId = error.callId();
    if (callId == 0) {
      return; // no call's, and a notice of no send: nothing to report
    }
    if (callId < 0) {
      // not a call's error: a notice that the peer refused -callId of our one-way sends
      long n = callId == Long.MIN_VALUE ? Integer.MAX_VALUE : Math.min(-callId,
          Integer.MAX_VALUE); // a count from the peer: clamped, never negative
      RpcException notice = error.toException("send");
      if (notice instanceof NoSuchFunctionException) {
        process.refusals().noSuchFunction(n, notice.getMessage());
      } else {
        process.refusals().overloaded(n, notice.getMessage());
      }
      return;
    }
    if (conn.take(callId) instanceof PendingCall call) {
      call.complete(Reply.failure(error.toException(call.function)));
    }
  }

  @Override
  public void oversized(Connection conn, Message.Oversized o) {
    if (conn.take(o.callId()) instanceof PendingCall call) {
      ProcessId self = process.id();
      call.fail(new SerializationException("the result of '" + call.function + "' from "
          + conn.peer() + " is " + o.length() + " bytes, over maxFrameBytes (" + o.limit()
          + ") of " + self + "; '" + call.function + "' ran there (expected: smaller values, "
          + "or a larger RpcConfig.withMaxFrameBytes at " + self + ")"));
    }
  }
}
