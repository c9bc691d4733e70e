package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.FrameDecoder;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every connection's pipeline, after the frame decoder and, until the
 * connection is ready, the {@link HandshakeHandler}: it sees only frames of a handshaken peer.
 * On the I/O thread it answers heartbeats and reads frame headers; everything else is handed to
 * the process ({@link Endpoint#route}). A peer that breaks the protocol loses its connection,
 * and only that. When the connection goes, whatever ended it ({@link ConnectionLoss}) says what
 * its pending calls fail with.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Loggers.CONNECTIONS);

  private final ChannelConnection conn;
  private final boolean outbound;
  private boolean failed; // the peer broke the protocol: what it sends is no longer read

  public ConnectionHandler(ChannelConnection conn, boolean outbound) {
    this.conn = conn;
    this.outbound = outbound;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Message.Oversized o) {
      if (!failed) {
        oversized(ctx, o);
      }
      return;
    }
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (failed) {
        return; // frames read in the same batch as the one that broke the protocol
      }
      switch (Frames.decode(frame)) {
        case Message.Schema schema -> conn.peerShapes(schema.shapes());
        // queued and counted like any answer: a peer that pings and reads nothing is paused
        case Message.Ping ping -> conn.write(OutFrame.pong(ctx.alloc(), ping.nonce()));
        case Message.Pong pong -> { } // reading it is the point: the idle timer restarts
        case Message.GoAway goAway -> conn.goingAway();
        case Message.Hello hello -> throw new ProtocolException("a second HELLO");
        case Message.Auth auth -> throw new ProtocolException("AUTH after the handshake");
        case Message m -> conn.process.route(conn, m);
      }
    } catch (ProtocolException | IndexOutOfBoundsException e) {
      protocolError(ctx, e.getMessage());
    } finally {
      frame.release();
    }
  }

  /**
   * A frame over this process's maxFrameBytes, skipped: the one call it belongs to fails, the
   * connection goes on. The request did not run; the reply's call did, at the peer.
   */
  private void oversized(ChannelHandlerContext ctx, Message.Oversized o) {
    String size = o.length() + " bytes, over maxFrameBytes (" + o.limit() + ") of "
        + conn.process.id();
    String expected = " (expected: smaller values, or a larger RpcConfig.withMaxFrameBytes at "
        + conn.process.id() + ")";
    switch (o.kind()) {
      case Frames.REQUEST, Frames.REQUEST_WITH_HEADERS -> conn.write(OutFrame.error(ctx.alloc(),
          o.callId(), dev.moonwire.rpc.RpcException.Kind.SERIALIZATION, "the request is " + size
              + "; it did not run" + expected, "", ""));
      case Frames.REPLY -> conn.process.route(conn, o); // the call's side fails it
      case Frames.SEND -> {
        PeerLog.warn(conn.process, "oversized", conn.peer(), "skipped a one-way send of "
            + size);
        conn.refusedSend("?", "a one-way send of " + size + " was skipped" + expected);
      }
      default -> protocolError(ctx, "frame of kind " + o.kind() + " and " + size);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
      if (decoder != null && decoder.midFrame() && !conn.readingPaused()) {
        // a frame begun and not continued for a whole interval holds bytes for nothing (unless
        // it is this side that stopped reading: a peer that does not read its answers)
        conn.loss.because("it sent part of a frame and nothing more for a heartbeat interval");
        PeerLog.warn(conn.process, "partial frames", conn.peer(),
            "sent part of a frame and nothing more for a heartbeat interval; closing the "
                + "connection");
        Netty.close(ctx);
        return;
      }
      if (conn.stuckForBacklog(2 * conn.process.config().heartbeatInterval().toNanos())) {
        conn.loss.because("it read nothing of what it was sent for two heartbeat intervals");
        PeerLog.warn(conn.process, "backlog", conn.peer(),
            "reads none of its replies; closing the connection");
        Netty.close(ctx);
      } else if (conn.readingPaused()) {
        // We stopped reading on purpose (flow control): silence proves nothing. Keep the
        // peer's own heartbeat fed instead; a dead peer shows when a write fails.
        conn.write(OutFrame.ping(ctx.alloc(), System.nanoTime()));
      } else if (idle.isFirst()) {
        conn.write(OutFrame.ping(ctx.alloc(), System.nanoTime()));
      } else {
        conn.loss.because("it stopped answering heartbeats");
        PeerLog.warn(conn.process, "heartbeat", conn.peer(),
            "no answer to heartbeats; closing the connection");
        Netty.close(ctx);
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      conn.scheduleDrain(); // the peer has read enough: hand Netty what waits
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ProcessId peer = conn.peer();
    log.debug("{}: connection {} {} lost: {}", conn.process.id(), outbound ? "to" : "from",
        peer == null ? ctx.channel().remoteAddress() : peer, conn.loss.why());
    conn.failAll(() -> conn.loss.exception(peer));
    conn.releaseQueued("the connection was lost: " + conn.loss.why());
    conn.process.connectionClosed(conn);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable tlsFailure = tlsCause(cause);
    if (tlsFailure != null) {
      conn.loss.because("TLS failed: " + tlsFailure.getMessage());
      PeerLog.warn(conn.process, "TLS", ctx.channel().remoteAddress(),
          "TLS failed (" + tlsFailure.getMessage() + "); closing that connection");
      Netty.close(ctx);
    } else if (cause instanceof TooLongFrameException) {
      protocolError(ctx, "frame over maxFrameBytes: " + cause.getMessage());
    } else if (cause instanceof java.io.IOException) {
      conn.loss.because(cause.getMessage());
      log.debug("{}: I/O error on connection to {}", conn.process.id(), conn.peer(), cause);
      Netty.close(ctx);
    } else {
      conn.loss.because("internal error: " + cause);
      conn.process.peerLog().error("unexpected", ctx.channel().remoteAddress(),
          "unexpected error on a connection; closing it", cause);
      Netty.close(ctx);
    }
  }

  private static Throwable tlsCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException
          || c instanceof io.netty.handler.ssl.NotSslRecordException) {
        return c;
      }
    }
    return null;
  }

  /** The peer's process id once it said HELLO, and its socket address in any case. */
  private Object peerName(ChannelHandlerContext ctx) {
    ProcessId id = conn.peer();
    return id == null ? ctx.channel().remoteAddress()
        : id + " (at " + ctx.channel().remoteAddress() + ")";
  }

  private void protocolError(ChannelHandlerContext ctx, String what) {
    if (failed) {
      return;
    }
    failed = true;
    conn.loss.because("protocol error: " + what);
    PeerLog.warn(conn.process, "protocol", peerName(ctx),
        "protocol error (" + what + "); closing that connection");
    Netty.close(ctx);
  }
}
