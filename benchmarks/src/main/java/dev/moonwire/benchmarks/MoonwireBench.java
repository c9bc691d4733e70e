package dev.moonwire.benchmarks;

import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SyncFunction;
import dev.moonwire.rpc.FutureFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Moonwire: two processes on loopback, an echo function, every call style. */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class MoonwireBench {
  /** The echo as an interface, for the proxy benchmark. */
  public interface Echo {
    byte[] echo(byte[] body);
  }

  @Param({"32", "4096"})
  public int payload;

  private RpcProcess server;
  private RpcProcess client;
  private byte[] body;
  private final Window window = new Window();
  private RemoteFunction async;
  private SyncFunction sync;
  private FutureFunction future;
  private Echo proxy;

  @Setup
  public void setUp() {
    body = new byte[payload];
    server = Rpc.open(RpcConfig.defaults());
    server.export(Echo.class, b -> b);
    client = Rpc.open(RpcConfig.defaults());
    async = client.async(server.id(), "echo", v -> window.give());
    sync = client.sync(server.id(), "echo");
    future = client.future(server.id(), "echo");
    proxy = client.sync(server.id(), Echo.class);
  }

  @TearDown(Level.Iteration)
  public void drain() throws InterruptedException {
    window.drain();
  }

  @TearDown
  public void tearDown() {
    client.close();
    server.close();
  }

  /** 128 calls in flight, callbacks on the client process. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void asyncThroughput() throws InterruptedException {
    window.take();
    async.call(body);
  }

  /** One caller, one call in flight: the round trip. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] syncLatency() {
    return sync.call(body);
  }

  /** The round trip through a future. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] futureLatency() {
    return future.<byte[]>call(body).join();
  }

  /** The round trip through an interface proxy. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] proxyLatency() {
    return proxy.echo(body);
  }

  /** 1,000 virtual threads making sync calls at once, 10 each. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(10_000)
  public void sync1000VirtualThreads() throws InterruptedException {
    List<Thread> threads = new ArrayList<>(1_000);
    for (int t = 0; t < 1_000; t++) {
      threads.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 10; i++) {
          sync.call(body);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
  }
}
