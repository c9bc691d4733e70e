package dev.moonwire.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The limit: a length-prefixed echo over raw Netty on the same transport Moonwire uses, client
 * and server on event loops of their own. Two ways of writing: a {@code writeAndFlush} per
 * message, and batched (callers queue, one event-loop task writes all and flushes once; the
 * server flushes once per read burst).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RawNettyBench {
  @Param({"32", "4096"})
  public int payload;

  private EventLoopGroup serverGroup;
  private EventLoopGroup clientGroup;
  private Channel server;
  private Channel perCall;
  private Channel batched;
  private byte[] body;
  private final Window window = new Window();
  private volatile CompletableFuture<Void> reply;
  private final Queue<ByteBuf> queue = PlatformDependent.newMpscQueue();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  @Setup
  public void setUp() throws Exception {
    boolean epoll = Epoll.isAvailable();
    serverGroup = new MultiThreadIoEventLoopGroup(1,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    clientGroup = new MultiThreadIoEventLoopGroup(1,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    body = new byte[payload];
    server = new ServerBootstrap().group(serverGroup)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0),
                new Echo());
          }
        }).bind("127.0.0.1", 0).sync().channel();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    perCall = connect(epoll, port);
    batched = connect(epoll, port);
  }

  private Channel connect(boolean epoll, int port) throws InterruptedException {
    return new Bootstrap().group(clientGroup)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0),
                new ClientHandler());
          }
        }).connect("127.0.0.1", port).sync().channel();
  }

  /** Echoes frames; flushes once per read burst (the batched server side). */
  static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a void promise: failures go to the pipeline
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }

  final class ClientHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ((ByteBuf) msg).release();
      CompletableFuture<Void> r = reply;
      if (r != null) {
        r.complete(null);
      } else {
        window.give();
      }
    }
  }

  private ByteBuf frame(Channel ch) {
    ByteBuf b = ch.alloc().buffer(4 + body.length);
    return b.writeInt(body.length).writeBytes(body);
  }

  @TearDown(Level.Iteration)
  public void drain() throws InterruptedException {
    window.drain();
  }

  @TearDown
  @SuppressWarnings("FutureReturnValueIgnored") // best effort: the trial is over, no score to spoil
  public void tearDown() {
    perCall.close();
    batched.close();
    server.close();
    clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** One call in flight: write, flush, wait for the echo. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @SuppressWarnings("FutureReturnValueIgnored") // a void promise: failures go to the pipeline
  public void latencyWritePerCall() throws Exception {
    CompletableFuture<Void> r = new CompletableFuture<>();
    reply = r;
    perCall.writeAndFlush(frame(perCall), perCall.voidPromise());
    r.get();
    reply = null;
  }

  /** 128 in flight, a writeAndFlush per call. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @SuppressWarnings("FutureReturnValueIgnored") // a void promise: failures go to the pipeline
  public void throughputWritePerCall() throws InterruptedException {
    window.take();
    perCall.writeAndFlush(frame(perCall), perCall.voidPromise());
  }

  /** 128 in flight, writes queued and flushed once per event-loop task. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughputBatched() throws InterruptedException {
    window.take();
    queue.offer(frame(batched));
    if (drainScheduled.compareAndSet(false, true)) {
      batched.eventLoop().execute(this::drainQueue);
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // a void promise: failures go to the pipeline
  private void drainQueue() {
    drainScheduled.set(false);
    for (ByteBuf f; (f = queue.poll()) != null; ) {
      batched.write(f, batched.voidPromise());
    }
    batched.flush();
  }
}
