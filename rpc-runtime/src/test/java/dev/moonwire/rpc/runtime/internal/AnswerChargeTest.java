package dev.moonwire.rpc.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.runtime.internal.transport.ConnectionHandler;
import dev.moonwire.rpc.runtime.internal.transport.HandshakeHandler;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Handshake;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers are charged to the inbound budget until the socket has taken them, and on the call
 * path that charge costs nothing per reply: no promise, no listener, when the flush took it all.
 */
class AnswerChargeTest extends ProcessTestSupport {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private RuntimeProcess process;
  private EmbeddedChannel channel;
  private ChannelConnection conn;

  @BeforeEach
  void handshake() {
    process = (RuntimeProcess) open();
    channel = new EmbeddedChannel();
    conn = new ChannelConnection(process, channel);
    channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(1024 + 4, 0, 4, 0, 4),
        new HandshakeHandler(conn, false), new ConnectionHandler(conn, false));
    channel.writeInbound(Frames.hello(ALLOC, ProcessId.of("127.0.0.1", 1), Handshake.nonce(),
        new byte[0], 7));
    channel.writeInbound(WireSchema.encode(ALLOC, List.of()));
    releaseOutbound();
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private void releaseOutbound() {
    for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
      out.release();
    }
  }

  /** One answer written and drained; its frame is made before and read after, not counted. */
  private long answerAllocating(OutFrame frame) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    conn.write(frame);
    channel.runPendingTasks();
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    releaseOutbound();
    return allocated;
  }

  /** {@code n} frames of {@code make(i)}, as plain heap buffers (see below). */
  private static OutFrame[] frames(int n, byte kind,
      java.util.function.IntFunction<ByteBuf> make) {
    OutFrame[] frames = new OutFrame[n];
    for (int i = 0; i < n; i++) {
      // copied to plain heap buffers: the leak detector, at PARANOID here, records a stack
      // trace on each access of an allocator's buffer, which would be all this test measures
      ByteBuf f = make.apply(i);
      frames[i] = new OutFrame(Unpooled.wrappedBuffer(ByteBufUtil.getBytes(f)), kind, null);
      f.release();
    }
    return frames;
  }

  /** Bytes allocated per frame written and drained, the first half of them a warm-up. */
  private long perFrame(OutFrame[] frames) {
    int n = frames.length;
    for (int i = 0; i < n / 2; i++) { // classes, JIT, Netty's recycled entries
      answerAllocating(frames[i]);
    }
    long allocated = 0;
    for (int i = n / 2; i < n; i++) {
      allocated += answerAllocating(frames[i]);
      assertEquals(0, process.inbound().used(), "answers the socket took are released");
    }
    return allocated / (n - n / 2);
  }

  @Test
  void answerTakenByTheSocket_isReleasedAtOnce_allocatingNoMoreThanAFrameNotCharged() {
    int n = 20_000;
    // a PONG is an answer, charged until written; a PING is not: the same size, the same path
    long pong = perFrame(frames(n, Frames.PONG, i -> Frames.withLong(ALLOC, Frames.PONG, i)));
    long ping = perFrame(frames(n, Frames.PING, i -> Frames.withLong(ALLOC, Frames.PING, i)));

    // a promise per batch and a listener capturing its bytes took 56 B or more per answer
    assertTrue(pong <= ping + 8, "an answer allocates " + pong + " B, other frames " + ping);
  }
}
