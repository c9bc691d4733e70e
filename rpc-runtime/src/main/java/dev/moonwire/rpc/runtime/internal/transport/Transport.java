package dev.moonwire.rpc.runtime.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The I/O threads and the timer, shared by every process of the JVM. Threads are daemons: an
 * application ends when its own threads do, open processes or not.
 */
public final class Transport {
  private Transport() {}

  /** Native epoll on Linux when its library loads; NIO otherwise. */
  public static final boolean EPOLL = Epoll.isAvailable();

  public static final EventLoopGroup GROUP = newGroup();

  /** Deadlines and timers; 10 ms ticks are fine for deadlines measured in seconds. */
  public static final Timer TIMER =
      new HashedWheelTimer(new DefaultThreadFactory("moonwire-timer", true), 10,
          TimeUnit.MILLISECONDS);

  private static EventLoopGroup newGroup() {
    int threads = Integer.getInteger("moonwire.ioThreads",
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("moonwire-io", true),
        io);
  }

  /**
   * What Netty buffers per connection before the channel turns unwritable and frames wait in
   * the connection's own, counted queue: enough for a large batch of small frames per flush.
   */
  public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 1 << 20);

  public static Class<? extends ServerChannel> serverChannelType() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends Channel> channelType() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
