package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.FrameDecoder;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import dev.moonwire.rpc.runtime.internal.wire.Handshake;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every connection's pipeline, after the frame decoder. On the I/O thread it
 * only checks the handshake, answers heartbeats and reads frame headers; everything else is
 * handed to the process ({@link Endpoint#route}). A peer that breaks the protocol loses
 * its connection, and only that.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Loggers.CONNECTIONS);

  private final ChannelConnection conn;
  private final boolean outbound;
  private enum State { HELLO, AUTH, SCHEMA, READY }
  private State state = State.HELLO;
  private byte[] clientNonce; // inbound, while waiting for AUTH
  private byte[] serverNonce;
  private String lostBecause = "the connection closed";
  private ScheduledFuture<?> handshakeTimer;
  private boolean failed; // the peer broke the protocol: what it sends is no longer read
  private boolean refusedHandshake;
  private boolean refusedOverloaded; // the peer said it is at its limit of connections
  private long schemaBytes; // of all the peer's SCHEMA frames on this connection

  public ConnectionHandler(ChannelConnection conn, boolean outbound) {
    this.conn = conn;
    this.outbound = outbound;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      startHandshakeTimer(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startHandshakeTimer(ctx);
    ctx.fireChannelActive();
  }

  /** A connection that has not finished its handshake (TLS included) in time is closed. */
  private void startHandshakeTimer(ChannelHandlerContext ctx) {
    if (handshakeTimer != null || state == State.READY) {
      return;
    }
    long millis = conn.process.config().handshakeTimeout().toMillis();
    handshakeTimer = ctx.executor().schedule(() -> {
      if (state != State.READY && ctx.channel().isActive()) {
        lostBecause = "the handshake did not finish within " + millis + " ms";
        PeerLog.warn(conn.process, "handshake", ctx.channel().remoteAddress(),
            "handshake did not finish within " + millis + " ms; closing that connection");
        ctx.close();
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * The peer is who it says: frames may now be as large as the process allows, and the last
   * step of the handshake is each side's SCHEMA.
   */
  private void handshakeDone(ChannelHandlerContext ctx) {
    state = State.SCHEMA;
    FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
    if (decoder != null) {
      decoder.raiseLimit(conn.process.config().maxFrameBytes());
    }
  }

  /** The peer's SCHEMA arrived: the connection is ready. */
  private void schema(Message.Schema message) {
    var shapes = message.shapes();
    for (WireSchema.Shape shape : shapes) {
      schemaBytes += shape.wireBytes();
    }
    // Everything a peer tells of its classes is kept while it is connected: bounded in bytes.
    if (schemaBytes > conn.process.config().maxFrameBytes()) {
      throw new ProtocolException("the peer's schema grew to " + schemaBytes + " bytes "
          + "(expected: at most maxFrameBytes, " + conn.process.config().maxFrameBytes() + ")");
    }
    WireSchema.Peer known = conn.schema;
    conn.schema = known == null ? WireSchema.Peer.of(conn.peer(), shapes) : known.plus(shapes);
    if (state == State.SCHEMA) {
      state = State.READY;
      if (handshakeTimer != null) {
        handshakeTimer.cancel(false);
      }
      if (log.isDebugEnabled()) {
        log.debug("{}: connection {} {} opened ({} classes in its schema)", conn.process.id(),
            outbound ? "to" : "from", conn.peer(), shapes.size());
      }
      conn.process.connectionOpened(conn);
    }
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
      Message m = Frames.decode(frame);
      switch (state) {
        case HELLO -> {
          if (outbound && m instanceof Message.Error error && error.callId() == 0
              && error.toException("connect") instanceof OverloadedException) {
            refusedBeforeHello(ctx, error);
            return;
          }
          if (!(m instanceof Message.Hello hello)) {
            throw new ProtocolException("first frame is " + name(m) + " (expected: HELLO)");
          }
          hello(ctx, hello);
        }
        case AUTH -> {
          if (!(m instanceof Message.Auth auth)) {
            throw new ProtocolException("authentication failed: " + conn.peer() + " sent "
                + name(m) + " before AUTH (expected: the same RpcConfig.withSecret on both)");
          }
          authenticate(ctx, auth);
        }
        case SCHEMA -> {
          if (!(m instanceof Message.Schema schema)) {
            throw new ProtocolException(name(m) + " before the peer's SCHEMA (expected: SCHEMA "
                + "right after the handshake)");
          }
          schema(schema);
        }
        case READY -> {
          switch (m) {
            case Message.Schema schema -> schema(schema);
            // queued and counted like any answer: a peer that pings and reads nothing is paused
            case Message.Ping ping -> conn.write(
                Frames.withLong(ctx.alloc(), Frames.PONG, ping.nonce()));
            case Message.Pong pong -> { } // reading it is the point: the idle timer restarts
            case Message.GoAway goAway -> conn.goingAway();
            case Message.Hello hello -> throw new ProtocolException("a second HELLO");
            case Message.Auth auth -> throw new ProtocolException("AUTH after the handshake");
            default -> conn.process.route(conn, m);
          }
        }
      }
    } catch (ProtocolException | IndexOutOfBoundsException e) {
      protocolError(ctx, e.getMessage());
    } finally {
      frame.release();
    }
  }

  private static String name(Message m) {
    return m.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
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
      case Frames.REQUEST, Frames.REQUEST_WITH_HEADERS -> conn.write(Frames.error(ctx.alloc(),
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

  private void hello(ChannelHandlerContext ctx, Message.Hello hello) {
    conn.peerFeatures(hello.features());
    byte[] secret = conn.process.secret();
    boolean shared = secret.length > 0;
    if (!outbound) {
      conn.peer(hello.id());
      byte[] nonce = Handshake.nonce();
      byte[] proof = shared ? Handshake.serverProof(secret, hello.nonce(), nonce) : new byte[0];
      ctx.writeAndFlush(Frames.hello(ctx.alloc(), conn.process.id(), nonce, proof));
      if (shared) {
        clientNonce = hello.nonce();
        serverNonce = nonce;
        state = State.AUTH;
      } else {
        conn.sendSchema(ctx.channel());
        handshakeDone(ctx);
      }
      return;
    }
    if (!shared) {
      if (hello.proof().length > 0) {
        throw new ProtocolException("authentication failed: " + hello.id()
            + " requires a shared secret (expected: the same RpcConfig.withSecret on both)");
      }
      handshakeDone(ctx);
      return;
    }
    if (hello.proof().length == 0) {
      throw new ProtocolException("authentication failed: " + hello.id()
          + " has no shared secret (expected: the same RpcConfig.withSecret on both)");
    }
    if (!Handshake.matches(Handshake.serverProof(secret, conn.nonce, hello.nonce()),
        hello.proof())) {
      throw new ProtocolException("authentication failed: " + hello.id()
          + " holds another shared secret than this process");
    }
    ctx.writeAndFlush(Frames.auth(ctx.alloc(),
        Handshake.clientProof(secret, conn.nonce, hello.nonce())));
    conn.sendSchema(ctx.channel());
    handshakeDone(ctx);
    conn.ready();
  }

  private void authenticate(ChannelHandlerContext ctx, Message.Auth auth) {
    byte[] proof = auth.proof();
    if (!Handshake.matches(Handshake.clientProof(conn.process.secret(), clientNonce, serverNonce),
        proof)) {
      throw new ProtocolException("authentication failed: " + conn.peer()
          + " does not know the shared secret");
    }
    clientNonce = null;
    serverNonce = null;
    conn.sendSchema(ctx.channel());
    handshakeDone(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      if (state != State.READY) {
        return; // no heartbeat before the handshake: its own timer bounds that stage
      }
      FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
      if (decoder != null && decoder.midFrame() && !conn.readingPaused()) {
        // a frame begun and not continued for a whole interval holds bytes for nothing (unless
        // it is this side that stopped reading: a peer that does not read its answers)
        lostBecause = "it sent part of a frame and nothing more for a heartbeat interval";
        PeerLog.warn(conn.process, "partial frames", conn.peer(),
            "sent part of a frame and nothing more for a heartbeat interval; closing the "
                + "connection");
        ctx.close();
        return;
      }
      if (conn.stuckForBacklog(2 * conn.process.config().heartbeatInterval().toNanos())) {
        lostBecause = "it read nothing of what it was sent for two heartbeat intervals";
        PeerLog.warn(conn.process, "backlog", conn.peer(),
            "reads none of its replies; closing the connection");
        ctx.close();
      } else if (conn.readingPaused()) {
        // We stopped reading on purpose (flow control): silence proves nothing. Keep the
        // peer's own heartbeat fed instead; a dead peer shows when a write fails.
        conn.write(Frames.withLong(ctx.alloc(), Frames.PING, System.nanoTime()));
      } else if (idle.isFirst()) {
        conn.write(Frames.withLong(ctx.alloc(), Frames.PING, System.nanoTime()));
      } else {
        lostBecause = "it stopped answering heartbeats";
        PeerLog.warn(conn.process, "heartbeat", conn.peer(),
            "no answer to heartbeats; closing the connection");
        ctx.close();
      }
    } else if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent tls
        && !tls.isSuccess()) {
      lostBecause = "TLS handshake failed: " + tls.cause().getMessage();
      PeerLog.warn(conn.process, "TLS", ctx.channel().remoteAddress(),
          "TLS handshake failed (" + tls.cause().getMessage() + ")");
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
    if (handshakeTimer != null) {
      // Its task holds the channel, the pipeline and this connection: left scheduled, every
      // connection that closes during its handshake would stay reachable for the whole timeout.
      handshakeTimer.cancel(false);
      handshakeTimer = null;
    }
    ProcessId peer = conn.peer();
    String why = lostBecause;
    log.debug("{}: connection {} {} lost: {}", conn.process.id(), outbound ? "to" : "from",
        peer == null ? ctx.channel().remoteAddress() : peer, why);
    // A handshake refused (by either side) means no request of ours was read: none ran.
    String ran = refusedHandshake ? "the call did not run: the handshake was refused"
        : "the call may or may not have run";
    if (refusedOverloaded) {
      conn.failAll(() -> new OverloadedException("connection to " + peer + " refused: " + why
          + " (the call did not run)"));
    } else {
      conn.failAll(() -> new PeerUnavailableException(
          "connection to " + peer + " lost: " + why + " (" + ran + ")"));
    }
    conn.releaseQueued("the connection was lost: " + why);
    conn.process.connectionClosed(conn);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable tlsFailure = tlsCause(cause);
    if (tlsFailure != null) {
      lostBecause = "TLS failed: " + tlsFailure.getMessage();
      PeerLog.warn(conn.process, "TLS", ctx.channel().remoteAddress(),
          "TLS failed (" + tlsFailure.getMessage() + "); closing that connection");
      ctx.close();
    } else if (cause instanceof TooLongFrameException) {
      protocolError(ctx, "frame over maxFrameBytes: " + cause.getMessage());
    } else if (cause instanceof java.io.IOException) {
      lostBecause = cause.getMessage();
      log.debug("{}: I/O error on connection to {}", conn.process.id(), conn.peer(), cause);
      ctx.close();
    } else {
      lostBecause = "internal error: " + cause;
      conn.process.peerLog().error("unexpected", ctx.channel().remoteAddress(),
          "unexpected error on a connection; closing it", cause);
      ctx.close();
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

  /**
   * The peer refused this connection before its HELLO, saying it is at its limit of
   * connections: what is queued here did not run. (Only that refusal is taken before a HELLO;
   * its text is the peer's, unproved, so it is cut short.)
   */
  private void refusedBeforeHello(ChannelHandlerContext ctx, Message.Error error) {
    failed = true;
    refusedHandshake = true;
    refusedOverloaded = true;
    String why = error.message() == null ? "" : error.message();
    lostBecause = why.length() > 300 ? why.substring(0, 300) + "... (cut)" : why;
    log.debug("{}: {} refused the connection: {}", conn.process.id(), conn.peer(),
        error.message());
    ctx.close();
  }

  private void protocolError(ChannelHandlerContext ctx, String what) {
    if (failed) {
      return;
    }
    failed = true;
    refusedHandshake = state != State.READY;
    lostBecause = "protocol error: " + what;
    PeerLog.warn(conn.process, "protocol", peerName(ctx),
        "protocol error (" + what + "); closing that connection");
    ctx.close();
  }
}
