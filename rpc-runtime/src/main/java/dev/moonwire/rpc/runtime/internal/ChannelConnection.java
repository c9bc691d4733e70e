package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection over a Netty channel. Writes are batched: any thread queues frames, and one task
 * on the channel's event loop writes everything queued and flushes once — one system call for
 * many frames, however many threads write.
 */
final class ChannelConnection extends Connection {
  private final Queue<ByteBuf> outbound = PlatformDependent.newMpscQueue();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile Channel channel;
  private volatile boolean ready;
  private volatile ProcessId peer;
  private volatile boolean goingAway;

  /** An outbound connection: frames queue until {@link #connected} is called. */
  ChannelConnection(RuntimeProcess process, ProcessId peer) {
    super(process);
    this.peer = peer;
  }

  /** An inbound connection, ready at once. */
  ChannelConnection(RuntimeProcess process, Channel channel) {
    super(process);
    this.channel = channel;
    this.ready = true;
  }

  @Override
  ProcessId peer() {
    return peer;
  }

  void peer(ProcessId id) {
    this.peer = id;
  }

  /** This side's handshake nonce. */
  final byte[] nonce = Handshake.nonce();

  /**
   * Called on the event loop once the TCP connection is up: say hello. Without a shared secret,
   * calls go out at once behind the HELLO; with one, they wait until the peer has proved it
   * knows the secret ({@link #ready()}).
   */
  void connected(Channel ch) {
    channel = ch;
    ch.writeAndFlush(Frames.hello(ch.alloc(), process.id(), nonce, new byte[0]),
        ch.voidPromise());
    if (process.secret().length == 0) {
      ready();
    }
  }

  /** The handshake is done: send what waits, and from now on as it comes. */
  void ready() {
    ready = true;
    scheduleDrain();
  }

  @Override
  ByteBufAllocator alloc() {
    Channel ch = channel;
    return ch != null ? ch.alloc() : ByteBufAllocator.DEFAULT;
  }

  @Override
  void write(ByteBuf frame) {
    if (isClosed()) {
      frame.release();
      return;
    }
    outbound.offer(frame);
    if (isClosed()) {
      // closed between the check and the offer: free it on the loop, the queue's one consumer
      process.homeLoop().execute(() -> releaseQueued("the connection closed"));
      return;
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (ready && drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    Channel ch = channel;
    boolean active = ch.isActive();
    int n = 0;
    for (ByteBuf f; (f = outbound.poll()) != null; ) {
      if (active) {
        ch.write(f, ch.voidPromise());
        n++;
      } else {
        f.release();
      }
    }
    if (n > 0) {
      ch.flush();
    }
  }

  private volatile boolean paused; // written on the event loop only

  @Override
  boolean readingPaused() {
    return paused;
  }

  /** On the event loop. */
  @Override
  void pauseReading() {
    paused = true;
    channel.config().setAutoRead(false);
  }

  /** From any thread: the check and the change happen on the event loop, where pauses do. */
  @Override
  void resumeReadingIf(java.util.function.BooleanSupplier resume) {
    if (paused) {
      channel.eventLoop().execute(() -> {
        if (paused && resume.getAsBoolean()) {
          paused = false;
          channel.config().setAutoRead(true);
        }
      });
    }
  }

  /** The peer said GOAWAY: no new calls go here; calls in flight may still be answered. */
  void goingAway() {
    goingAway = true;
  }

  boolean usable() {
    return !goingAway && !isClosed();
  }

  /** Closes the channel; {@link ConnectionHandler} fails what is pending when it goes inactive. */
  void close() {
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  /**
   * Frees frames that will never be sent; on the event loop, once the channel is gone. One-way
   * sends among them have no call to fail, so they are reported to the process's uncaught-error
   * handler, all in one report, saying {@code why}.
   */
  void releaseQueued(String why) {
    int sends = 0;
    String function = null;
    for (ByteBuf f; (f = outbound.poll()) != null; ) {
      if (f.readableBytes() > 7 && f.getByte(f.readerIndex() + 4) == Frames.SEND) {
        sends++;
        if (function == null) {
          function = f.getCharSequence(f.readerIndex() + 7, f.getUnsignedShort(f.readerIndex() + 5),
              java.nio.charset.StandardCharsets.UTF_8).toString();
        }
      }
      f.release();
    }
    if (sends > 0) {
      String message = sends + " one-way send(s) to " + peer + " were not sent (the first to '"
          + function + "'): " + why;
      process.submitUser(() -> {
        throw new dev.moonwire.rpc.PeerUnavailableException(message);
      });
    }
  }
}
