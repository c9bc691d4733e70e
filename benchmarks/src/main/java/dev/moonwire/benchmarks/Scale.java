package dev.moonwire.benchmarks;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue 22's scale benchmark: one server JVM, client JVMs around it.
 * <ol>
 *   <li><b>busy</b>: {@code clients} client processes spread over {@code jvms} JVMs, each with
 *       one 32-byte async call in flight at all times against one Moonwire server; then the
 *       same number of raw Netty connections against a raw Netty echo server (one frame in
 *       flight each). Calls per second of each, and their ratio.
 *   <li><b>idle</b>: {@code idle} client processes each connect to a Moonwire server (one call
 *       each, handshake and schema exchange included), then hold their connection. The time to
 *       connect them all, and the server's heap per connection after a full GC (against its
 *       heap after a GC before they came), with the server's own count of connections.
 * </ol>
 * The server's class histogram at the end of the idle phase is printed with
 * {@code --histogram}: what holds the memory of a connection.
 *
 * <pre>./mw bench scale [--clients 1000] [--jvms 4] [--seconds 10] [--idle 10000] [--histogram]</pre>
 */
public final class Scale {
  private Scale() {}

  private static final int PAYLOAD = 32;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].startsWith("role=")) {
      role(args);
      return;
    }
    int clients = option(args, "--clients", 1000);
    int jvms = option(args, "--jvms", 4);
    int seconds = option(args, "--seconds", 10);
    int idle = option(args, "--idle", 10_000);
    boolean histogram = List.of(args).contains("--histogram");

    double moonwire = clients > 0 ? busy("moonwire", clients, jvms, seconds) : Double.NaN;
    double raw = clients > 0 ? busy("raw", clients, jvms, seconds) : Double.NaN;
    Idle held = idle > 0 ? idle(idle, jvms, histogram) : null;

    System.out.println();
    System.out.printf("| %-58s | %s |%n", "scale (" + clients + " clients over " + jvms
        + " JVMs, 32 B, one call in flight each)", "figure");
    System.out.println("|---|---|");
    System.out.printf("| %-58s | %,.0f calls/s |%n", "Moonwire, default configuration", moonwire);
    System.out.printf("| %-58s | %,.0f calls/s |%n", "raw Netty, same connections", raw);
    System.out.printf("| %-58s | %.2f× |%n", "Moonwire ÷ raw Netty", moonwire / raw);
    if (held != null) {
      System.out.printf("| %-58s | %,d of %,d |%n", "idle connections held (server's count)",
          held.connections, idle);
      System.out.printf("| %-58s | %.1f s (%,.0f/s) |%n", "time to connect them (" + jvms
          + " JVMs at once)", held.connectSeconds, idle / held.connectSeconds);
      System.out.printf("| %-58s | %.2f KiB |%n", "server heap per connection after a full GC",
          held.bytesPerConnection / 1024.0);
    }
  }

  private record Idle(int connections, double connectSeconds, double bytesPerConnection) {}

  private static int option(String[] args, String name, int otherwise) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return otherwise;
  }

  // ---- the parent: starts JVMs, reads what they print ----

  /** Calls per second of {@code clients} connections with one call in flight each. */
  private static double busy(String kind, int clients, int jvms, int seconds) throws Exception {
    Child server = Child.start("role=" + kind + "-server");
    try {
      String port = server.expect("PORT ");
      List<Child> children = new ArrayList<>();
      for (int j = 0; j < jvms; j++) {
        int n = clients / jvms + (j < clients % jvms ? 1 : 0);
        children.add(Child.start("role=" + kind + "-clients", port, String.valueOf(n),
            String.valueOf(seconds)));
      }
      long calls = 0;
      for (Child c : children) {
        calls += Long.parseLong(c.expect("CALLS "));
        c.close();
      }
      double perSecond = calls / (double) seconds;
      System.out.printf("%s: %,d connections, %,.0f calls/s%n", kind, clients, perSecond);
      return perSecond;
    } finally {
      server.close();
    }
  }

  private static Idle idle(int idle, int jvms, boolean histogram) throws Exception {
    Child server = Child.start("role=idle-server");
    List<Child> children = new ArrayList<>();
    try {
      String port = server.expect("PORT ");
      RpcProcess probe = Rpc.open(RpcConfig.defaults().withDeadline(Duration.ofMinutes(2)));
      try {
        ProcessId target = ProcessId.of("127.0.0.1", Integer.parseInt(port));
        long before = probe.sync(target, "heap").<Long>call();
        long start = System.nanoTime();
        for (int j = 0; j < jvms; j++) {
          int n = idle / jvms + (j < idle % jvms ? 1 : 0);
          children.add(Child.start("role=idle-clients", port, String.valueOf(n)));
        }
        for (Child c : children) {
          c.expect("CONNECTED ");
        }
        double connectSeconds = (System.nanoTime() - start) / 1e9;
        int connections = probe.sync(target, "connections").<Integer>call();
        long after = probe.sync(target, "heap").<Long>call();
        // the probe's own connection is in both figures
        double perConnection = (after - before) / (double) (connections - 1);
        System.out.printf("idle: %,d connections in %.1f s; server heap %.1f → %.1f MiB after"
            + " GC%n", connections - 1, connectSeconds, before / 1048576.0, after / 1048576.0);
        if (histogram) {
          printHistogram(server.process.pid());
        }
        return new Idle(connections - 1, connectSeconds, perConnection);
      } finally {
        probe.close();
      }
    } finally {
      for (Child c : children) {
        c.close();
      }
      server.close();
    }
  }

  private static void printHistogram(long pid) throws IOException, InterruptedException {
    String jcmd = System.getProperty("java.home") + File.separator + "bin" + File.separator
        + "jcmd";
    Process p = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.class_histogram")
        .redirectErrorStream(true).start();
    try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
      r.lines().limit(28).forEach(l -> System.out.println("  " + l));
    }
    p.waitFor();
  }

  /** A JVM running one of this class's roles; what it prints is read line by line. */
  private static final class Child implements AutoCloseable {
    final Process process;
    private final BufferedReader out;

    private Child(Process process) {
      this.process = process;
      this.out = process.inputReader(StandardCharsets.UTF_8);
    }

    static Child start(String... args) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator
          + "java");
      for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (flag.startsWith("--")) {
          cmd.add(flag); // only the flags the parent itself was given (README's line)
        }
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Scale.class.getName()));
      cmd.addAll(List.of(args));
      return new Child(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
          .start());
    }

    /** The rest of the first line that starts with {@code prefix}. */
    String expect(String prefix) throws IOException {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      throw new IllegalStateException("a child JVM ended before it printed " + prefix.trim());
    }

    @Override
    public void close() throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  // ---- the children ----

  private static void role(String[] args) throws Exception {
    PrintStream out = System.out;
    switch (args[0]) {
      case "role=moonwire-server", "role=idle-server" -> {
        RpcProcess p = Rpc.open(RpcConfig.defaults().withMaxConnections(65_536));
        p.export("echo", a -> a.get(0));
        p.export("connections", a -> p.stats().connections().size());
        p.export("heap", a -> heapAfterGc());
        out.println("PORT " + p.id().port());
        out.flush();
        waitForParent();
        p.close();
      }
      case "role=raw-server" -> {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0),
                    new RawNettyBench.Echo());
              }
            }).bind("127.0.0.1", 0).sync().channel();
        out.println("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
        out.flush();
        waitForParent();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
      case "role=moonwire-clients" -> moonwireClients(Integer.parseInt(args[1]),
          Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "role=raw-clients" -> rawClients(Integer.parseInt(args[1]),
          Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "role=idle-clients" -> idleClients(Integer.parseInt(args[1]),
          Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("role " + args[0]);
    }
    System.exit(0);
  }

  private static void waitForParent() throws IOException {
    while (System.in.read() >= 0) {
      // until the parent closes our input
    }
  }

  private static long heapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Counting starts after a warm-up as long as the measurement, so every JVM is at speed. */
  private static void moonwireClients(int port, int n, int seconds) throws Exception {
    ProcessId target = ProcessId.of("127.0.0.1", port);
    byte[] body = new byte[PAYLOAD];
    LongAdder calls = new LongAdder();
    AtomicBoolean stopping = new AtomicBoolean();
    List<RpcProcess> processes = new ArrayList<>(n);
    RemoteFunction[] functions = new RemoteFunction[n];
    for (int i = 0; i < n; i++) {
      RpcProcess p = Rpc.open(RpcConfig.defaults().withDeadline(Duration.ofMinutes(1)));
      processes.add(p);
      int me = i;
      functions[i] = p.async(target, "echo", v -> {
        calls.increment();
        if (!stopping.get()) {
          functions[me].call((Object) body); // the next call, from the reply's event
        }
      });
    }
    for (RemoteFunction f : functions) {
      f.call((Object) body);
    }
    long counted = measure(calls, seconds);
    System.out.println("CALLS " + counted);
    System.out.flush();
    stopping.set(true);
    for (RpcProcess p : processes) {
      p.close();
    }
  }

  private static long measure(LongAdder calls, int seconds) throws InterruptedException {
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // warm-up: a fixed span, nothing awaited
    long from = calls.sum();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // the measured span
    return calls.sum() - from;
  }

  private static void rawClients(int port, int n, int seconds) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    LongAdder calls = new LongAdder();
    List<Channel> channels = new ArrayList<>(n);
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0),
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                    calls.increment();
                    ctx.writeAndFlush(frame(ctx.channel()), ctx.voidPromise());
                  }
                });
          }
        });
    for (int i = 0; i < n; i++) {
      channels.add(b.connect("127.0.0.1", port).sync().channel());
    }
    for (Channel ch : channels) {
      ch.writeAndFlush(frame(ch), ch.voidPromise());
    }
    long counted = measure(calls, seconds);
    System.out.println("CALLS " + counted);
    System.out.flush();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private static ByteBuf frame(Channel ch) {
    return ch.alloc().buffer(4 + PAYLOAD).writeInt(PAYLOAD).writeZero(PAYLOAD);
  }

  /** Opens {@code n} processes, each connected by one call; holds them until told to go. */
  private static void idleClients(int port, int n) throws Exception {
    ProcessId target = ProcessId.of("127.0.0.1", port);
    List<RpcProcess> processes = new ArrayList<>(n);
    CountDownLatch connected = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      RpcProcess p = Rpc.open(RpcConfig.defaults().withDeadline(Duration.ofMinutes(2)));
      processes.add(p);
      p.async(target, "echo", v -> connected.countDown()).call((Object) new byte[PAYLOAD]);
    }
    connected.await();
    System.out.println("CONNECTED " + n);
    System.out.flush();
    waitForParent();
    for (RpcProcess p : processes) {
      p.close();
    }
  }
}
