package dev.moonwire.benchmarks;

import dev.moonwire.csp.Channel;
import dev.moonwire.csp.Channels;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * A stream of 32-byte messages over loopback, in the same run: a Moonwire remote channel of
 * depth 64 (the writer one process, the reader the owner, another process) against gRPC-java
 * server streaming (the server writes, the client reads). Both hold memory bounded: the channel
 * by its credit (64 values in flight at most), gRPC by its flow control — the server writes only
 * while {@code isReady()}, as gRPC's own advice for streams that must not buffer without bound.
 * Each invocation moves {@value #MESSAGES} messages; the score is messages per second.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamBench {
  static final int MESSAGES = 10_000;
  static final int PAYLOAD = 32;

  /** The remote channel's depth: its credit, so values in flight per round trip. */
  @Param({"64"})
  public int depth;

  static final MethodDescriptor<byte[], byte[]> STREAM = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Stream", "stream"))
      .setRequestMarshaller(GrpcBench.BYTES)
      .setResponseMarshaller(GrpcBench.BYTES)
      .build();

  private final byte[] body = new byte[PAYLOAD];

  private RpcProcess owner;
  private RpcProcess writer;
  private Channel<byte[]> channel;
  private Channel<byte[]> remote;

  private Server server;
  private ManagedChannel grpc;

  @Setup
  public void setUp() throws IOException {
    owner = Rpc.open(RpcConfig.defaults());
    writer = Rpc.open(RpcConfig.defaults());
    channel = Channel.create(depth);
    Channels.export(owner, "stream", channel, byte[].class);
    remote = Channels.remote(writer, owner.id(), "stream", byte[].class);

    ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Stream")
        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall(StreamBench::serve))
        .build();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0))
        .directExecutor().addService(service).build().start();
    grpc = NettyChannelBuilder.forAddress(new InetSocketAddress(loopback, server.getPort()))
        .usePlaintext().directExecutor().build();
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    writer.close();
    owner.close();
    grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The writer streams as an event of its process; the owner's reader is this thread. */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public void moonwireRemoteChannel() throws InterruptedException, ExecutionException,
      TimeoutException {
    RpcFuture<Object> writes = writer.submit(() -> {
      for (int i = 0; i < MESSAGES; i++) {
        remote.write(body);
      }
      return null;
    });
    for (int i = 0; i < MESSAGES; i++) {
      channel.read();
    }
    writes.get(30, TimeUnit.SECONDS);
  }

  /** One server-streaming call of {@value #MESSAGES} messages; the client counts them. */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public void grpcServerStreaming() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    int[] received = {0};
    ClientCalls.asyncServerStreamingCall(grpc.newCall(STREAM, CallOptions.DEFAULT),
        ByteBuffer.allocate(4).putInt(MESSAGES).array(), new StreamObserver<byte[]>() {
          @Override
          public void onNext(byte[] value) {
            received[0]++;
          }

          @Override
          public void onError(Throwable t) {
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    if (!done.await(30, TimeUnit.SECONDS) || received[0] != MESSAGES) {
      throw new IllegalStateException("gRPC stream ended after " + received[0] + " messages");
    }
  }

  /** Writes the messages asked for while the transport is ready: flow control, no buffering. */
  private static void serve(byte[] request, StreamObserver<byte[]> out) {
    int count = ByteBuffer.wrap(request).getInt();
    byte[] message = new byte[PAYLOAD];
    ServerCallStreamObserver<byte[]> stream = (ServerCallStreamObserver<byte[]>) out;
    int[] sent = {0};
    stream.setOnReadyHandler(() -> {
      while (stream.isReady() && sent[0] < count) {
        stream.onNext(message);
        sent[0]++;
      }
      if (sent[0] == count) {
        sent[0]++; // completed once
        stream.onCompleted();
      }
    });
  }
}
