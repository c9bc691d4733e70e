package dev.moonwire.benchmarks;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * gRPC-java with a byte-array marshaller (no protoc), unary echo. Server and channel use
 * {@code directExecutor()} — gRPC's own advice for handlers that do not block, and its fastest
 * setting — so Moonwire is compared with gRPC at its best.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class GrpcBench {
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    /**
     * gRPC's message streams know their length ({@code KnownLength}): read exactly that, as a
     * protobuf parser would. {@code readAllBytes} would allocate 16 KiB scratch buffers per
     * message and make gRPC look worse than it is.
     */
    @Override
    public byte[] parse(InputStream stream) {
      try {
        int n = stream.available();
        if (n > 0) {
          byte[] bytes = new byte[n];
          int read = stream.readNBytes(bytes, 0, n);
          if (read == n && stream.read() == -1) {
            return bytes;
          }
          throw new IOException("message shorter or longer than announced: " + read);
        }
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "echo"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  @Param({"32", "4096"})
  public int payload;

  private Server server;
  private ManagedChannel channel;
  private byte[] body;
  private final Window window = new Window();
  private final StreamObserver<byte[]> release = new StreamObserver<>() {
    @Override
    public void onNext(byte[] value) {
    }

    @Override
    public void onError(Throwable t) {
      window.give();
    }

    @Override
    public void onCompleted() {
      window.give();
    }
  };

  @Setup
  public void setUp() throws IOException {
    body = new byte[payload];
    ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] req, StreamObserver<byte[]> out) -> {
          out.onNext(req);
          out.onCompleted();
        }))
        .build();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0))
        .directExecutor().addService(service).build().start();
    channel = NettyChannelBuilder.forAddress(new InetSocketAddress(loopback, server.getPort()))
        .usePlaintext()
        .directExecutor().build();
  }

  @TearDown(Level.Iteration)
  public void drain() throws InterruptedException {
    window.drain();
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Blocking stub, one call in flight. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] blockingLatency() {
    return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, body);
  }

  /** Async stub, 128 calls in flight on one channel. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void asyncThroughput() throws InterruptedException {
    window.take();
    ClientCalls.asyncUnaryCall(channel.newCall(ECHO, CallOptions.DEFAULT), body, release);
  }
}
