package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One end of a link to a peer: frames out, and two tables — the calls this process sent over
 * it that await a reply, and the requests it received over it that are running.
 */
abstract class Connection {
  final RuntimeProcess process;
  private final ConcurrentHashMap<Long, PendingCall> pending = new ConcurrentHashMap<>();
  final ConcurrentHashMap<Long, RunningRequest> running = new ConcurrentHashMap<>();
  private volatile Supplier<RpcException> closedCause;

  Connection(RuntimeProcess process) {
    this.process = process;
  }

  /** Stops reading requests from the peer (flow control); a no-op where there is no socket. */
  void pauseReading() {
  }

  /** True while reading is paused. */
  boolean readingPaused() {
    return false;
  }

  /** Reads again if reading was paused and {@code resume} holds by the time it is checked. */
  void resumeReadingIf(java.util.function.BooleanSupplier resume) {
  }

  /** Queues a whole frame (length prefix included) for sending; takes ownership of it. */
  abstract void write(ByteBuf frame);

  abstract ByteBufAllocator alloc();

  /** The process at the other end, or null before its handshake. */
  abstract ProcessId peer();

  final boolean isClosed() {
    return closedCause != null;
  }

  /** Adds a call that is about to be sent; fails it at once if the connection is closed. */
  final void add(PendingCall call) {
    pending.put(call.id, call);
    Supplier<RpcException> cause = closedCause;
    if (cause != null && pending.remove(call.id, call)) {
      call.complete(Reply.failure(cause.get()));
    }
  }

  final boolean remove(PendingCall call) {
    return pending.remove(call.id, call);
  }

  /** Removes and returns the call a reply is for, or null if it has already ended. */
  final PendingCall take(long callId) {
    return pending.remove(callId);
  }

  final int pendingCount() {
    return pending.size();
  }

  final void sendCancel(long callId) {
    if (!isClosed()) {
      write(Frames.withLong(alloc(), Frames.CANCEL, callId));
    }
  }

  /**
   * Marks the connection closed and fails every call pending on it with a fresh exception from
   * {@code cause}; calls added later fail at once. Running requests are cancelled: their replies
   * have nowhere to go.
   */
  final void failAll(Supplier<RpcException> cause) {
    closedCause = cause;
    for (PendingCall call : pending.values()) {
      if (pending.remove(call.id, call)) {
        call.complete(Reply.failure(cause.get()));
      }
    }
    for (RunningRequest r : running.values()) {
      r.cancel();
    }
  }
}
