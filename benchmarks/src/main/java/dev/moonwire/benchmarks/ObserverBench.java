package dev.moonwire.benchmarks;

import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SyncFunction;
import dev.moonwire.rpc.micrometer.MicrometerObserver;
import dev.moonwire.rpc.opentelemetry.TracingObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
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
 * What an observer costs: MoonwireBench's echo (32 bytes) with none installed, with
 * {@link MicrometerObserver} on both processes, and with {@link TracingObserver} on both (an
 * OpenTelemetry SDK that samples every span and hands each, ended, to an exporter that drops
 * it: the spans, the context and the traceparent header, without a network exporter's cost)
 * ({@code ./mw bench observer}).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ObserverBench {
  @Param({"none", "micrometer", "tracing"})
  public String observer;

  private RpcProcess server;
  private RpcProcess client;
  private final byte[] body = new byte[32];
  private final Window window = new Window();
  private RemoteFunction async;
  private SyncFunction sync;

  /** Every span recorded and handed, ended, to an exporter that drops it. */
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
          return CompletableResultCode.ofSuccess();
        }
      })).build();
  private final OpenTelemetry openTelemetry = OpenTelemetrySdk.builder()
      .setTracerProvider(tracerProvider)
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();

  private RpcConfig config() {
    return switch (observer) {
      case "none" -> RpcConfig.defaults();
      case "micrometer" -> RpcConfig.defaults()
          .withObserver(new MicrometerObserver(new SimpleMeterRegistry()));
      case "tracing" -> RpcConfig.defaults().withObserver(new TracingObserver(openTelemetry));
      default -> throw new IllegalArgumentException("observer " + observer);
    };
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
    tracerProvider.close();
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
