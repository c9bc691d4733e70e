package dev.moonwire.benchmarks;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.ProcessId;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The garbage-connection attack of issue 21 at full size, against a server in a JVM of its own
 * with {@code -Xmx256m}: 25,000 connections in 10 s that each write up to 200 random bytes
 * (random length prefixes, one in four shaped like a HELLO) and reset, then 20,000 plain
 * connect/close cycles. A legitimate client pings the server every 100 ms throughout. Passes
 * (exit 0) if every ping is answered within a second, and afterwards the server's connections
 * come back to their baseline and its heap after a full GC to within 16 MiB of it.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.moonwire.benchmarks.GarbageConnections
 *     [cases 25000] [seconds 10] [cycles 20000]</pre>
 */
public final class GarbageConnections {
  private GarbageConnections() {}

  private static final long SLACK_BYTES = 16L << 20;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("server")) {
      serve();
      return;
    }
    int cases = args.length > 0 ? Integer.parseInt(args[0]) : 25_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int cycles = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    Process server = startServer();
    boolean passed;
    try {
      passed = attack(server, cases, seconds, cycles);
    } finally {
      server.destroy();
    }
    System.exit(passed ? 0 : 1);
  }

  /** The server JVM: pings, and reports its connections and its heap after a full GC. */
  private static void serve() throws Exception {
    RpcProcess p = Rpc.open(RpcConfig.defaults());
    p.export("ping", a -> "pong");
    p.export("connections", a -> p.stats().connections().size());
    p.export("heap", a -> {
      Runtime rt = Runtime.getRuntime();
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      return rt.totalMemory() - rt.freeMemory();
    });
    System.out.println("PORT " + p.id().port());
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the attacker goes
    }
    p.close();
  }

  private static Process startServer() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    cmd.add("-Xmx256m");
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--")) {
        cmd.add(flag); // --enable-native-access and the like
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        GarbageConnections.class.getName(), "server"));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static boolean attack(Process server, int cases, int seconds, int cycles)
      throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
        StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("PORT ")) {
      System.out.println("server: " + line);
    }
    if (line == null) {
      throw new IllegalStateException("the server JVM ended before it listened");
    }
    ProcessId target = ProcessId.of("127.0.0.1", Integer.parseInt(line.substring(5).trim()));
    RpcProcess client = Rpc.open(RpcConfig.defaults().withDeadline(Duration.ofSeconds(5)));
    var ping = client.sync(target, "ping");
    ping.call();
    int baseConnections = client.sync(target, "connections").<Integer>call();
    long baseHeap = client.sync(target, "heap").<Long>call();
    System.out.printf("baseline: %d connection(s), %.1f MiB heap after GC%n", baseConnections,
        baseHeap / 1048576.0);

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong slowest = new AtomicLong();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger pings = new AtomicInteger();
    Thread pinger = Thread.ofPlatform().start(() -> {
      while (running.get()) {
        long start = System.nanoTime();
        try {
          ping.call();
          pings.incrementAndGet();
        } catch (RuntimeException e) {
          failed.incrementAndGet();
        }
        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
        sleep(100);
      }
    });

    long start = System.nanoTime();
    int threads = 8;
    List<Thread> attackers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      attackers.add(Thread.ofPlatform().start(() -> garbage(target, new Random(seed),
          cases / threads, TimeUnit.SECONDS.toNanos(seconds))));
    }
    join(attackers);
    double garbageSeconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%d garbage connections in %.1f s%n", cases, garbageSeconds);
    start = System.nanoTime();
    attackers.clear();
    for (int t = 0; t < threads; t++) {
      attackers.add(Thread.ofPlatform().start(() -> cycles(target, cycles / threads)));
    }
    join(attackers);
    System.out.printf("%d connect/close cycles in %.1f s%n", cycles,
        (System.nanoTime() - start) / 1e9);

    int connections = -1;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        System.nanoTime() < end; sleep(200)) {
      connections = client.sync(target, "connections").<Integer>call();
      if (connections == baseConnections) {
        break;
      }
    }
    running.set(false);
    pinger.join();
    long heap = client.sync(target, "heap").<Long>call();
    long slowestMillis = TimeUnit.NANOSECONDS.toMillis(slowest.get());
    System.out.printf("after: %d connection(s), %.1f MiB heap after GC; %d pings, %d failed, "
        + "the slowest %d ms%n", connections, heap / 1048576.0, pings.get(), failed.get(),
        slowestMillis);
    client.close();
    boolean ok = failed.get() == 0 && slowestMillis < 1000 && connections == baseConnections
        && heap <= baseHeap + SLACK_BYTES;
    System.out.println(ok ? "PASS" : "FAIL");
    return ok;
  }

  /** Opens {@code cases} connections over {@code nanos}, each garbage then a reset. */
  private static void garbage(ProcessId target, Random random, int cases, long nanos) {
    long start = System.nanoTime();
    for (int i = 0; i < cases; i++) {
      long due = start + nanos * i / cases; // paced: the rate of the attack, not the fastest
      long wait = due - System.nanoTime();
      if (wait > 0) {
        sleep(TimeUnit.NANOSECONDS.toMillis(wait));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(target.host(), target.port()), 5_000);
        socket.getOutputStream().write(garbage(random));
        socket.setSoLinger(true, 0);
      } catch (IOException e) {
        // reset by the server first: as good
      }
    }
  }

  private static byte[] garbage(Random random) {
    byte[] bytes = new byte[random.nextInt(201)];
    random.nextBytes(bytes);
    if (bytes.length >= 10 && random.nextInt(4) == 0) {
      ByteBuffer.wrap(bytes).putInt(random.nextInt(300)).put((byte) 1).putInt(0x4D57_4952)
          .put((byte) 2);
    }
    return bytes;
  }

  private static void cycles(ProcessId target, int n) {
    for (int i = 0; i < n; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(target.host(), target.port()), 5_000);
      } catch (IOException e) {
        // counted by the server's connections, which must come back all the same
      }
    }
  }

  private static void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
