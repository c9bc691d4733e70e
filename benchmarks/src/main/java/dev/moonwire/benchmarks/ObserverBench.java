package dev.moonwire.benchmarks;

import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SyncFunction;
import dev.moonwire.rpc.micrometer.MicrometerObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
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
 * What an observer costs: MoonwireBench's echo (32 bytes) with none installed, and with
 * {@link MicrometerObserver} on both processes ({@code ./mw bench observer}).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ObserverBench {
  @Param({"none", "micrometer"})
  public String observer;

  private RpcProcess server;
  private RpcProcess client;
  private final byte[] body = new byte[32];
  private final Window window = new Window();
  private RemoteFunction async;
  private SyncFunction sync;

  private RpcConfig config() {
    return observer.equals("none") ? RpcConfig.defaults()
        : RpcConfig.defaults().withObserver(new MicrometerObserver(new SimpleMeterRegistry()));
  }

  @Setup
  public void setUp() {
    server = Rpc.open(config());
    server.export("echo", a -> a.get(0));
    client = Rpc.open(config());
    async = client.async(server.id(), "echo", v -> window.give());
    sync = client.sync(server.id(), "echo");
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
  public Object syncLatency() {
    return sync.call(body);
  }
}
