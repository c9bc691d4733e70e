package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.FrameDecoder;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Handshake;
import dev.moonwire.rpc.runtime.internal.wire.Message;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake of one connection, a pipeline stage of its own just ahead of
 * {@link ConnectionHandler}: HELLO, AUTH when the processes share a secret, then each side's
 * SCHEMA. It reads nothing but those, within the handshake's time and frame limits, and once the
 * connection is ready it removes itself from the pipeline (as Netty's
 * {@code ApplicationProtocolNegotiationHandler} does once ALPN is settled): from then on frames go
 * straight to {@code ConnectionHandler}, and none pays for a handshake check. Everything here
 * runs on the connection's I/O thread.
 *
 * <p>A peer that breaks the handshake loses its connection, and the calls queued on it fail
 * saying they did not run ({@link ConnectionLoss}).
 */
public final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Loggers.CONNECTIONS);

  private enum State { HELLO, AUTH, SCHEMA }

  private final ChannelConnection conn;
  private final boolean outbound;
  private State state = State.HELLO;
  private byte[] clientNonce; // inbound, while waiting for AUTH
  private byte[] serverNonce;
  private ScheduledFuture<?> timer;
  private boolean failed; // what the peer sends after breaking the handshake is not read

  /** {@code outbound}: this side dialled the connection (and says HELLO first). */
  public HandshakeHandler(ChannelConnection conn, boolean outbound) {
    this.conn = conn;
    this.outbound = outbound;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      startTimer(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startTimer(ctx);
    ctx.fireChannelActive();
  }

  /** A connection that has not finished its handshake (TLS included) in time is closed. */
  private void startTimer(ChannelHandlerContext ctx) {
    if (timer != null) {
      return;
    }
    long millis = conn.process.config().handshakeTimeout().toMillis();
    timer = ctx.executor().schedule(() -> {
      if (ctx.channel().isActive()) {
        conn.loss.because("the handshake did not finish within " + millis + " ms");
        PeerLog.warn(conn.process, "handshake", ctx.channel().remoteAddress(),
            "handshake did not finish within " + millis + " ms; closing that connection");
        Netty.close(ctx);
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Its task holds the channel, the pipeline and the connection: left scheduled, every
   * connection that closes during its handshake would stay reachable for the whole timeout.
   */
  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (failed) {
        return; // frames read in the same batch as the one that broke the handshake
      }
      if (msg instanceof Message.Oversized o) {
        throw new ProtocolException("a frame of " + o.length() + " bytes before the peer's "
            + "SCHEMA (expected: the handshake's frames)");
      }
      Message m = Frames.decode((ByteBuf) msg);
      switch (state) {
        case HELLO -> {
          if (outbound && m instanceof Message.Failure error && error.callId() == 0
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
          conn.peerShapes(schema.shapes());
          ready(ctx, schema.shapes().size());
        }
      }
    } catch (ProtocolException | IndexOutOfBoundsException e) {
      protocolError(ctx, e.getMessage());
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private static String name(Message m) {
    return m.getClass().getSimpleName().toUpperCase(Locale.ROOT);
  }

  private void hello(ChannelHandlerContext ctx, Message.Hello hello) {
    conn.peerHello(hello.features(), hello.incarnation());
    byte[] secret = conn.process.secret();
    boolean shared = secret.length > 0;
    if (!outbound) {
      conn.peer(hello.id());
      byte[] nonce = Handshake.nonce();
      byte[] proof = shared ? Handshake.serverProof(secret, hello.nonce(), nonce) : new byte[0];
      Netty.send(ctx, Frames.hello(ctx.alloc(), conn.process.id(), nonce, proof,
          conn.process.incarnation()));
      if (shared) {
        clientNonce = hello.nonce();
        serverNonce = nonce;
        state = State.AUTH;
      } else {
        conn.sendSchema(ctx.channel());
        authenticated(ctx);
      }
      return;
    }
    if (!shared) {
      if (hello.proof().length > 0) {
        throw new ProtocolException("authentication failed: " + hello.id()
            + " requires a shared secret (expected: the same RpcConfig.withSecret on both)");
      }
      authenticated(ctx);
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
    Netty.send(ctx, Frames.auth(ctx.alloc(),
        Handshake.clientProof(secret, conn.nonce, hello.nonce())));
    conn.sendSchema(ctx.channel());
    authenticated(ctx);
    conn.ready();
  }

  private void authenticate(ChannelHandlerContext ctx, Message.Auth auth) {
    if (!Handshake.matches(Handshake.clientProof(conn.process.secret(), clientNonce,
        serverNonce), auth.proof())) {
      throw new ProtocolException("authentication failed: " + conn.peer()
          + " does not know the shared secret");
    }
    clientNonce = null;
    serverNonce = null;
    conn.sendSchema(ctx.channel());
    authenticated(ctx);
  }

  /**
   * The peer is who it says: frames may now be as large as the process allows, and the last
   * step of the handshake is its SCHEMA.
   */
  private void authenticated(ChannelHandlerContext ctx) {
    state = State.SCHEMA;
    FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
    if (decoder != null) {
      decoder.raiseLimit(conn.process.config().maxFrameBytes());
    }
  }

  /** The peer's SCHEMA arrived: the connection is ready, and this stage is over. */
  private void ready(ChannelHandlerContext ctx, int shapes) {
    cancelTimer();
    // Before anything else is read: the frames after the SCHEMA, in this very batch, go
    // to ConnectionHandler.
    ctx.pipeline().remove(this);
    if (log.isDebugEnabled()) {
      log.debug("{}: connection {} {} opened ({} classes in its schema)", conn.process.id(),
          outbound ? "to" : "from", conn.peer(), shapes);
    }
    conn.process.connectionOpened(conn);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      return; // no heartbeat before the handshake is done: its own timer bounds this stage
    }
    if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
      conn.loss.because("TLS handshake failed: " + tls.cause().getMessage());
      PeerLog.warn(conn.process, "TLS", ctx.channel().remoteAddress(),
          "TLS handshake failed (" + tls.cause().getMessage() + ")");
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      protocolError(ctx, "frame over the handshake's limit: " + cause.getMessage());
    } else {
      ctx.fireExceptionCaught(cause); // TLS and I/O failures are the connection's to judge
    }
  }

  /**
   * The peer refused this connection before its HELLO, saying it is at its limit of
   * connections: what is queued here did not run. (Only that refusal is taken before a HELLO;
   * its text is the peer's, unproved, so it is cut short.)
   */
  private void refusedBeforeHello(ChannelHandlerContext ctx, Message.Failure error) {
    failed = true;
    String why = error.message() == null ? "" : error.message();
    conn.loss.overloaded(why.length() > 300 ? why.substring(0, 300) + "... (cut)" : why);
    log.debug("{}: {} refused the connection: {}", conn.process.id(), conn.peer(),
        error.message());
    Netty.close(ctx);
  }

  private void protocolError(ChannelHandlerContext ctx, String what) {
    if (failed) {
      return;
    }
    failed = true;
    conn.loss.handshakeRefused("protocol error: " + what);
    ProcessId id = conn.peer();
    Object peer = id == null ? ctx.channel().remoteAddress()
        : id + " (at " + ctx.channel().remoteAddress() + ")";
    PeerLog.warn(conn.process, "protocol", peer,
        "protocol error (" + what + "); closing that connection");
    Netty.close(ctx);
  }
}
