package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.FrameDecoder;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;

import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process's connections: the one it dials per peer (opened lazily, re-dialled after loss with
 * back-off), the ones peers dialled to it, and its link to itself. All of them live on the
 * process's home event loop.
 */
public final class Connections {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(Loggers.CONNECTIONS);
  private final Endpoint process;
  private final EventLoop home;
  private final TlsContexts tls;
  private final LocalConnection local;
  private final Map<ProcessId, ChannelConnection> dialled = new ConcurrentHashMap<>();
  private final Set<ChannelConnection> links = ConcurrentHashMap.newKeySet();
  private final Map<ProcessId, ConnectBackoff> backoffs = new ConcurrentHashMap<>();
  /** Bytes of frames peers have begun to send and not finished: a budget of their own. */
  private final Budget partialFrames;
  private final java.util.concurrent.atomic.AtomicLong overPartialBudget =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger acceptedOpen =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong refusedConnections =
      new java.util.concurrent.atomic.AtomicLong();

  public Connections(Endpoint process, EventLoop home) {
    this.process = process;
    this.home = home;
    this.tls = TlsContexts.of(process.config());
    this.local = new LocalConnection(process);
    // Room for two of the largest frames at least, so that no legitimate frame crosses it
    // alone: what it bounds is many peers each holding part of one.
    RpcConfig config = process.config();
    this.partialFrames = new Budget(Math.max(config.maxQueuedBytes(),
        2L * config.maxFrameBytes() + (1 << 20)));
  }

  /**
   * Waits, until {@code deadlineNanos} at the latest, for the connections being dialled or
   * handshaking to be ready, so that what was queued on them goes out before the close.
   */
  public void awaitSettled(long deadlineNanos) {
    while (System.nanoTime() - deadlineNanos < 0
        && all().stream().anyMatch(ChannelConnection::settling)) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  /** Sets up a connection a peer dialled to us; on the event loop. */
  public void accepted(Channel ch) {
    int open = acceptedOpen.incrementAndGet();
    ch.closeFuture().addListener(f -> acceptedOpen.decrementAndGet());
    int limit = process.config().maxConnections();
    if (open > limit) {
      refuse(ch, open - 1, limit);
      return;
    }
    ChannelConnection conn = new ChannelConnection(process, ch);
    links.add(conn);
    if (tls != null) {
      ch.pipeline().addLast(tls.forAccepted(ch));
    }
    pipeline(ch.pipeline(), conn, false);
  }

  /**
   * A connection over {@code maxConnections}: no state is made for it. Without TLS the peer is
   * told why in an ERROR frame before its HELLO (a Moonwire client fails its calls with an
   * {@code OverloadedException} naming the limit); its output is then shut and the socket
   * closed once the peer closes, or after a second. Its input is read and dropped meanwhile.
   */
  private void refuse(Channel ch, int open, int limit) {
    refusedConnections.incrementAndGet();
    String why = process.id() + " has " + open + " connections open from peers (expected: at "
        + "most " + limit + "; RpcConfig.withMaxConnections at " + process.id() + ")";
    PeerLog.warn(process, "connections", ch.remoteAddress(), "refused a connection: " + why);
    ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
        io.netty.util.ReferenceCountUtil.release(msg);
      }

      @Override
      public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
        Netty.close(ctx);
      }
    });
    Netty.later(ch.eventLoop(), () -> Netty.close(ch), 1000);
    if (tls != null) {
      Netty.close(ch);
      return;
    }
    ch.writeAndFlush(Frames.error(ch.alloc(), 0, RpcException.Kind.OVERLOADED, why, "", ""))
        .addListener((ChannelFuture f) -> {
          if (ch instanceof io.netty.channel.socket.DuplexChannel duplex) {
            Netty.shutdownOutput(duplex); // closed when the peer closes, or in a second
          } else {
            Netty.close(ch);
          }
        });
  }

  /** Connections closed because frames begun and not finished were over their budget. */
  public long closedForPartialFrames() {
    return overPartialBudget.get();
  }

  /** Bytes of frames peers have begun to send and not finished. */
  public Budget partialFrames() {
    return partialFrames;
  }

  /** Connections refused for {@code maxConnections} so far (for stats and tests). */
  public long refusedConnections() {
    return refusedConnections.get();
  }

  /** The connection to send {@code frame} on; releases the frame if there is none. */
  public Connection forFrame(ProcessId target, OutFrame frame) {
    try {
      return to(target);
    } catch (RuntimeException e) {
      frame.release();
      throw e;
    }
  }

  /**
   * The connection to {@code target}: the local link for this process itself, else the dialled
   * one, dialling it if there is none (or it is going away).
   *
   * @throws PeerUnavailableException while earlier attempts to dial it back off
   */
  public Connection to(ProcessId target) {
    if (target.equals(process.id())) {
      return local;
    }
    ChannelConnection c = dialled.get(target);
    if (c != null && c.usable()) {
      return c;
    }
    ConnectBackoff backoff = backoffs.get(target);
    if (backoff != null) {
      backoff.check(target);
    }
    return dialled.compute(target, (k, old) -> old != null && old.usable() ? old : dial(k));
  }

  private ChannelConnection dial(ProcessId target) {
    if (log.isDebugEnabled()) {
      ConnectBackoff b = backoffs.get(target);
      log.debug("{}: dialling {}{}", process.id(), target,
          b == null ? "" : " again, after failed attempts");
    }
    ChannelConnection conn = new ChannelConnection(process, target);
    links.add(conn);
    // Added first, then the flag read; closeAll sets the flag, then reads the links: so either
    // this sees the process closed, or closeAll sees this connection, and fails its calls.
    if (closed) {
      links.remove(conn);
      throw new ProcessClosedException("process " + process.id() + " is closed");
    }
    new Bootstrap()
        .group(home)
        .channel(Transport.channelType())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.WATER_MARK)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (tls != null) {
              ch.pipeline().addLast(tls.forDialled(ch, target));
            }
            pipeline(ch.pipeline(), conn, true);
          }
        })
        .connect(target.host(), target.port())
        .addListener((ChannelFuture f) -> {
          if (f.isSuccess()) {
            backoffs.remove(target);
            conn.connected(f.channel());
          } else {
            backoffs.compute(target, (k, b) -> (b == null ? new ConnectBackoff() : b).failed());
            String why = f.cause() == null ? "cancelled" : f.cause().getMessage();
            log.debug("{}: cannot connect to {}: {}", process.id(), target, why);
            conn.failAll(() -> new PeerUnavailableException(
                "cannot connect to " + target + ": " + why));
            conn.releaseQueued("cannot connect: " + why);
            links.remove(conn);
            dialled.remove(target, conn);
          }
        });
    return conn;
  }

  private void pipeline(ChannelPipeline p, ChannelConnection conn, boolean dialledSide) {
    var config = process.config();
    Budget partial = partialFrames;
    p.addLast(new FrameDecoder(
        Math.min(RpcConfig.HANDSHAKE_MAX_FRAME_BYTES, config.maxFrameBytes()), delta -> {
          if (delta < 0) {
            partial.release(-delta);
          } else if (partial.take(delta)) {
            // Not a pause: a paused connection holds its peer's later frames (a legitimate
            // client's CANCELs) behind those of peers that never finish theirs. The peer whose
            // read crossed the budget loses its connection; what it held is given back.
            overPartialBudget.incrementAndGet();
            PeerLog.warn(process, "partial frames", conn.peer() != null ? conn.peer()
                : p.channel().remoteAddress(), "frames begun and not finished hold " + partial.used()
                + " bytes (expected: at most " + partial.limit() + ", maxQueuedBytes); closing "
                + "the connection whose bytes crossed it");
            conn.close();
          }
        }));
    p.addLast(new IdleStateHandler(config.heartbeatInterval().toMillis(), 0, 0,
        TimeUnit.MILLISECONDS));
    p.addLast(new HandshakeHandler(conn, dialledSide));
    p.addLast(new ConnectionHandler(conn, dialledSide));
  }

  private volatile boolean closed;

  /**
   * No connection is dialled from now on; returns every network connection there is. A dial
   * that raced with this is in the list too: it was added before the flag was read.
   */
  public List<ChannelConnection> closeAll() {
    closed = true;
    return all();
  }

  /**
   * Which run of each peer this process's ready connections reach, and how many of them reach
   * it; {@code previous} is the run it replaced. Only peers with a ready connection are here:
   * bounded by the connections, forgotten with the last of them.
   */
  private final Map<ProcessId, Incarnation> incarnations = new ConcurrentHashMap<>();

  private record Incarnation(long id, int connections, long previous) {}

  /**
   * {@code conn}'s handshake is done. If it reaches another run of its peer than the ready
   * connections before it did, the process at that address was restarted: those connections
   * reach a process that is gone, so the calls pending on them fail (PeerUnavailableException,
   * naming the restart) and they close. A connection that reaches the run just replaced — that
   * run is still closing, say, and its last handlers call out — is let be: it is no restart, and
   * it carries only that run's own last calls. On the connection's I/O thread.
   */
  public void opened(ChannelConnection conn) {
    conn.opened = true;
    trackRun(conn);
    if (process.observer() != null) {
      Observed.connection(process.observer(), conn.peer(), true);
    }
  }

  /** Which run of its process a ready connection reaches: a new run fails the old one's calls. */
  private void trackRun(ChannelConnection conn) {
    ProcessId peer = conn.peer();
    long heard = conn.peerIncarnation();
    if (peer == null || heard == Frames.NO_INCARNATION) {
      return; // a peer older than incarnations: there is nothing to tell its runs apart by
    }
    Incarnation[] before = new Incarnation[1];
    incarnations.compute(peer, (k, old) -> {
      before[0] = old;
      if (old == null) {
        return new Incarnation(heard, 1, Frames.NO_INCARNATION);
      } else if (old.id() == heard) {
        return new Incarnation(heard, old.connections() + 1, old.previous());
      } else if (old.previous() == heard) {
        return old; // the run replaced, heard again: not counted
      }
      return new Incarnation(heard, 1, old.id());
    });
    Incarnation old = before[0];
    if (old == null || old.id() == heard) {
      return;
    }
    if (old.previous() == heard) {
      log.debug("{}: a connection with {} reaches the run a restart replaced", process.id(),
          peer);
      return;
    }
    restarted(peer, old.id(), heard);
  }

  private void restarted(ProcessId peer, long before, long now) {
    String why = peer + " restarted: another run of the process answers at its address "
        + "(incarnation " + Long.toHexString(now) + ", was " + Long.toHexString(before) + ")";
    log.info("{}: {}; failing the calls pending on the run before", process.id(), why);
    for (ChannelConnection c : links) {
      long reached = c.peerIncarnation();
      if (peer.equals(c.peer()) && reached != now && reached != Frames.NO_INCARNATION) {
        c.loss.because(why);
        c.failAll(() -> new PeerUnavailableException("call to " + peer + " failed: " + why
            + " (the call may or may not have run)"));
        c.close();
      }
    }
  }

  /** A connection went inactive. */
  public void closed(ChannelConnection conn) {
    if (conn.opened && process.observer() != null) {
      Observed.connection(process.observer(), conn.peer(), false);
    }
    links.remove(conn);
    ProcessId peer = conn.peer();
    if (peer != null) {
      dialled.remove(peer, conn);
      if (conn.opened) {
        long reached = conn.peerIncarnation();
        incarnations.computeIfPresent(peer, (k, e) -> e.id() != reached ? e
            : e.connections() == 1 ? null
            : new Incarnation(e.id(), e.connections() - 1, e.previous()));
      }
    }
  }

  public LocalConnection local() {
    return local;
  }

  /** Every network connection, both directions, as of now. */
  public List<ChannelConnection> all() {
    return new ArrayList<>(links);
  }

  /** Each network connection's peer, pending calls and whether reading is paused. */
  public List<dev.moonwire.rpc.ProcessStats.Connection> stats() {
    List<dev.moonwire.rpc.ProcessStats.Connection> out = new ArrayList<>();
    for (ChannelConnection c : links) {
      out.add(new dev.moonwire.rpc.ProcessStats.Connection(c.peer(), c.pendingCount(),
          c.readingPaused(), c.queuedBytes()));
    }
    return out;
  }

  public int pendingCalls() {
    int n = local.pendingCount();
    for (ChannelConnection c : links) {
      n += c.pendingCount();
    }
    return n;
  }

  public int size() {
    return links.size();
  }

  /** Ends a pause for {@code reason} on every connection (the budget has room again). */
  public void resumeAll(int reason) {
    for (ChannelConnection c : links) {
      c.resume(reason);
    }
  }

  public boolean readingPausedOnSome() {
    return links.stream().anyMatch(Connection::readingPaused);
  }
}
