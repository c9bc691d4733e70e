package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.runtime.internal.dispatch.Dispatcher;
import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.runtime.internal.transport.Connections;
import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;
import dev.moonwire.rpc.runtime.internal.transport.Transport;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A process's life: its listening channel bound, the callee's deadline sweep, and the graceful
 * close — stop accepting, GOAWAY, a grace for running handlers, then fail what is left.
 */
final class Lifecycle {
  private final RuntimeProcess process;
  private final RpcConfig config;
  private final Connections connections;
  private final Dispatcher dispatcher;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private final AtomicReference<Spawner> spawner = new AtomicReference<>();
  private Channel server;

  Lifecycle(RuntimeProcess process, RpcConfig config, Connections connections,
      Dispatcher dispatcher) {
    this.process = process;
    this.config = config;
    this.connections = connections;
    this.dispatcher = dispatcher;
  }

  /**
   * Binds the port with accepting paused, so that no peer arrives before the process is whole
   * ({@link #accept} starts it).
   *
   * @throws IllegalStateException if the port cannot be bound
   */
  Channel bind(EventLoop home) {
    ChannelFuture bound = new ServerBootstrap()
        .group(Transport.GROUP, home)
        .channel(Transport.serverChannelType())
        .option(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.WATER_MARK)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.accepted(ch);
          }
        })
        .bind(config.host(), config.port())
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      // Netty's native exceptions are not the user's business; the JDK's may be.
      Throwable cause = bound.cause();
      throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
          + ": " + cause.getMessage(),
          cause.getClass().getName().startsWith("java.") ? cause : null);
    }
    server = bound.channel();
    return server;
  }

  /** The process is whole: sweep deadlines, and let peers in. */
  void accept() {
    sweepDeadlines();
    server.config().setAutoRead(true);
    server.read();
  }

  /** True once close() has begun. */
  boolean isClosing() {
    return closing.get();
  }

  /** True once close() has given up waiting: calls are refused from then on. */
  boolean isClosed() {
    return closed;
  }

  void ensureOpen(ProcessId id) {
    if (closed) {
      throw new ProcessClosedException("process " + id + " is closed");
    }
  }

  /** The process's one Spawner, made on first use (it exports what children announce to). */
  Spawner spawner() {
    synchronized (spawner) {
      Spawner s = spawner.get();
      if (s == null) {
        s = new Spawner(process);
        spawner.set(s);
      }
      return s;
    }
  }

  /**
   * Closes the process, once: see {@link dev.moonwire.rpc.RpcProcess#close}. Returns false if it
   * was closing already.
   */
  boolean close(EventScheduler scheduler, BlockedEventChecker blockedChecker) {
    if (!closing.compareAndSet(false, true)) {
      return false;
    }
    Processes.closed(process);
    Spawner s = spawner.get();
    if (s != null) {
      s.stopAll();
    }
    server.close().awaitUninterruptibly();
    for (ChannelConnection c : connections.all()) {
      // not before the handshake: an inbound peer must see our HELLO first
      if (c.peer() != null) {
        c.write(OutFrame.goAway(c.alloc()));
      }
    }
    // Running handlers get the grace period to finish, unless close() is itself one of them;
    // connections still being dialled get what is left of it, so their queued frames go out.
    long graceEnd = System.nanoTime() + config.closeGrace().toNanos();
    if (Processes.current() != process) {
      dispatcher.awaitIdle(config.closeGrace().toNanos());
      connections.awaitSettled(graceEnd);
    }
    closed = true;
    String why = "process " + process.id() + " closed before the call ended";
    connections.local().failAll(() -> new ProcessClosedException(why));
    // again, not the list from before the grace: handlers may have dialled peers meanwhile
    for (ChannelConnection c : connections.closeAll()) {
      c.failAll(() -> new ProcessClosedException(why));
      c.close();
    }
    scheduler.shutdown();
    if (blockedChecker != null) {
      blockedChecker.stop();
    }
    return true;
  }

  private void sweepDeadlines() {
    if (closed) {
      return;
    }
    List<ChannelConnection> network = connections.all();
    dispatcher.sweepDeadlines(network);
    dispatcher.sweepDeadlines(List.of(connections.local()));
    process.shares().recount(network, connections.local());
    Transport.TIMER.newTimeout(t -> sweepDeadlines(), Dispatcher.SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
  }
}
