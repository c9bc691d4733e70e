package dev.moonwire.rpc.runtime.internal.transport;

import io.netty.channel.ChannelOutboundInvoker;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Netty calls whose outcome the transport learns elsewhere, so their futures are not kept: a
 * write goes with the channel's void promise, which sends a failure to the pipeline's
 * {@code exceptionCaught} ({@link ConnectionHandler} closes the connection, saying why), and a
 * close shows as {@code channelInactive}, where pending calls are failed.
 */
final class Netty {
  private Netty() {}

  /** Writes and flushes a frame; a failed write reaches {@code exceptionCaught}. */
  @SuppressWarnings("FutureReturnValueIgnored") // a void promise: it never completes
  static void send(ChannelOutboundInvoker out, Object frame) {
    out.writeAndFlush(frame, out.voidPromise());
  }

  /** Writes a frame without flushing it; a failed write reaches {@code exceptionCaught}. */
  @SuppressWarnings("FutureReturnValueIgnored") // a void promise: it never completes
  static void write(ChannelOutboundInvoker out, Object frame) {
    out.write(frame, out.voidPromise());
  }

  /**
   * Closes; the connection's handlers see it in {@code channelInactive}. (Netty takes no void
   * promise for a close.)
   */
  @SuppressWarnings("FutureReturnValueIgnored") // its outcome is channelInactive
  static void close(ChannelOutboundInvoker out) {
    out.close();
  }

  /**
   * Runs {@code task} on {@code loop} in {@code millis}; for a task that throws nothing and that
   * nothing cancels (a later close, a gathered notice), so its future has nothing to tell.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // see above: no outcome, no cancellation
  static void later(ScheduledExecutorService loop, Runnable task, long millis) {
    loop.schedule(task, millis, TimeUnit.MILLISECONDS);
  }

  /** Shuts the output of {@code ch}: the peer reads what was sent, then its end. */
  @SuppressWarnings("FutureReturnValueIgnored") // if it fails, the caller's timed close remains
  static void shutdownOutput(io.netty.channel.socket.DuplexChannel ch) {
    ch.shutdownOutput();
  }
}
