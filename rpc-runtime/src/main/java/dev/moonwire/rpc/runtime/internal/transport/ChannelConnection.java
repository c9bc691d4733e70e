package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Handshake;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection over a Netty channel. Writes are batched: any thread queues frames, and one task
 * on the channel's event loop writes everything queued and flushes once — one system call for
 * many frames, however many threads write.
 *
 * <p>Bounded: the drain hands frames to Netty only while the channel is writable, so what a
 * slow or unconnected peer does not take waits here, counted. New work counts against the
 * process's outbound budget and is refused beyond it ({@link #offer}). Answers to the peer —
 * replies, errors, pongs — are never refused; each is charged to the process's inbound budget
 * (the work peers gave it) until the socket has taken it, and a peer whose backlog grows past
 * a few MiB ({@link #backlogged}) is not read from, and its requests are refused rather than
 * run, until it drains: it is not reading what it asked for.
 */
public final class ChannelConnection extends Connection {
  /** How long refused one-way sends are gathered before one notice goes to the sender. */
  private static final long REFUSAL_NOTICE_MILLIS = 100;

  private final Queue<OutFrame> outbound = smallQueue();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final long backlogLimit;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile Channel channel;
  private volatile boolean ready;
  private volatile ProcessId peer;
  private volatile boolean goingAway;
  private int pauseReasons; // on the event loop
  private volatile boolean paused;
  private volatile long lastProgress = System.nanoTime();
  private final SendNotice refusedSends = new SendNotice(RpcException.Kind.OVERLOADED,
      " one-way send(s) refused by ");
  private final SendNotice unknownSends = new SendNotice(RpcException.Kind.NO_SUCH_FUNCTION,
      " one-way send(s) to a function not exported by ");

  /** An outbound connection: frames queue until {@link #connected} is called. */
  public ChannelConnection(Endpoint process, ProcessId peer) {
    super(process);
    this.peer = peer;
    this.backlogLimit = backlogLimit(process);
  }

  /** An inbound connection, ready at once. */
  public ChannelConnection(Endpoint process, Channel channel) {
    super(process);
    this.channel = channel;
    this.ready = true;
    this.backlogLimit = backlogLimit(process);
  }

  private static long backlogLimit(Endpoint process) {
    return Math.max(256 * 1024, Math.min(4L << 20, process.config().maxQueuedBytes() / 4));
  }

  @Override
  public ProcessId peer() {
    return peer;
  }

  public void peer(ProcessId id) {
    this.peer = id;
  }

  /** This side's handshake nonce. */
  public final byte[] nonce = Handshake.nonce();
  /** Why the connection closed, as its handlers learn it; on its I/O thread. */
  final ConnectionLoss loss = new ConnectionLoss();
  /** Bytes of all the shapes the peer told on this connection; on its I/O thread. */
  private long schemaBytes;
  /** Set on its I/O thread once the handshake is done; read when it closes, on the same. */
  public boolean opened;

  /**
   * Called on the event loop once the TCP connection is up: say hello. Without a shared secret,
   * calls go out at once behind the HELLO; with one, they wait until the peer has proved it
   * knows the secret ({@link #ready()}).
   */
  public void connected(Channel ch) {
    channel = ch;
    Netty.send(ch, Frames.hello(ch.alloc(), process.id(), nonce, new byte[0],
        process.incarnation()));
    if (process.secret().length == 0) {
      sendSchema(ch);
      ready();
    }
  }

  /** Whether this side's SCHEMA went out: from then on, additions are sent as they come. */
  private volatile boolean schemaSent;

  /**
   * On the event loop, during the handshake: sends this process's shapes, before anything
   * queued. Classes registered later are sent by {@link #schemaGrew}.
   */
  public void sendSchema(Channel ch) {
    process.registry().withShapes(shapes -> {
      Netty.send(ch, WireSchema.encode(ch.alloc(), shapes));
      schemaSent = true;
    });
  }

  /**
   * The peer told shapes of its classes (in its SCHEMA frames): its values are read by them from
   * now on. Everything a peer tells of its classes is kept while it is connected, so it is
   * bounded in bytes. On the I/O thread.
   *
   * @throws ProtocolException if the peer's shapes grow past maxFrameBytes in all
   */
  void peerShapes(java.util.List<WireSchema.Shape> shapes) {
    for (WireSchema.Shape shape : shapes) {
      schemaBytes += shape.wireBytes();
    }
    long limit = process.config().maxFrameBytes();
    if (schemaBytes > limit) {
      throw new ProtocolException("the peer's schema grew to " + schemaBytes + " bytes "
          + "(expected: at most maxFrameBytes, " + limit + ")");
    }
    WireSchema.Peer known = schema;
    schema = known == null ? WireSchema.Peer.of(peer, shapes) : known.plus(shapes);
  }

  /** The process registered more classes: tell the peer, ahead of any value of them. */
  public void schemaGrew(java.util.List<WireSchema.Shape> added) {
    if (schemaSent) {
      write(OutFrame.schema(alloc(), added));
    }
  }

  /** The handshake is done: send what waits, and from now on as it comes. */
  public void ready() {
    ready = true;
    scheduleDrain();
  }

  @Override
  public ByteBufAllocator alloc() {
    Channel ch = channel;
    return ch != null ? ch.alloc() : ByteBufAllocator.DEFAULT;
  }

  /**
   * Replies, errors, pongs and cancels: never refused, and not counted against the process's
   * outbound budget (a peer that does not read them must not keep this process from calling
   * others). Answers are charged to the inbound budget until written; everything counts here,
   * and a peer whose backlog grows is no longer read.
   */
  @Override
  public void write(OutFrame frame) {
    int size = frame.size();
    if (frame.answers()) {
      process.inbound().take(size);
    }
    enqueue(frame, size);
    // Not before the handshake is done both ways: until then frames wait because this side
    // holds them (for the peer's HELLO, or its proof), not because the peer does not read, and
    // a pause would keep the HELLO that releases them from being read.
    if (queuedBytes.get() > backlogLimit && ready && peerHelloRead) {
      pause(PAUSED_FOR_BACKLOG);
    }
  }

  /**
   * True while more waits to go to the peer than it may leave unread: it is not reading what it
   * asked for, so its requests are refused rather than run (their replies would have nowhere
   * to wait).
   */
  @Override
  public boolean backlogged() {
    return queuedBytes.get() > backlogLimit;
  }

  /**
   * Bytes waiting to go to the peer: in this connection's queue, and in Netty's buffer of the
   * channel (handed over, not yet taken by the socket).
   */
  public long queuedBytes() {
    long n = queuedBytes.get();
    Channel ch = channel;
    if (ch != null) {
      var netty = ch.unsafe().outboundBuffer(); // null once closed
      if (netty != null) {
        n += netty.totalPendingWriteBytes();
      }
    }
    return n;
  }

  /**
   * What the peer reads beyond its protocol version ({@link Frames#FEATURES}), from its HELLO,
   * valid once {@link #peerHelloRead}. Written on the event loop, read there by {@link #drain}.
   */
  private volatile int peerFeatures;
  /** Whether the peer's HELLO has been read (whatever features it claims). */
  private volatile boolean peerHelloRead;

  /**
   * The peer's incarnation, from its HELLO: which run of the process at its address this
   * connection reaches ({@link Frames#NO_INCARNATION} until then, or from an older peer).
   */
  private volatile long peerIncarnation = Frames.NO_INCARNATION;

  public long peerIncarnation() {
    return peerIncarnation;
  }

  /** The peer's HELLO is read: requests with headers that waited for it can go. */
  void peerHello(int features, long incarnation) {
    peerIncarnation = incarnation;
    peerFeatures = features;
    peerHelloRead = true; // after: a drain that sees it sees the features
    scheduleDrain();
  }

  @Override
  public boolean offer(OutFrame frame) {
    int size = frame.size();
    if (!process.outbound().tryTake(size)) {
      return false;
    }
    enqueue(frame, size);
    return true;
  }

  private void enqueue(OutFrame frame, int size) {
    if (isClosed()) {
      if (frame.newWork()) {
        process.outbound().release(size);
      } else if (frame.answers()) {
        process.inbound().release(size);
      }
      String function = frame.function();
      frame.release();
      if (function != null) { // a call is failed by its table; a one-way send must be reported
        process.refusals().notSent(1, "one-way send to '" + function + "' on " + peer
            + " not sent: " + closedCause().getMessage());
      }
      return;
    }
    queuedBytes.addAndGet(size);
    outbound.offer(frame);
    if (isClosed()) {
      // closed between the check and the offer: free it on the loop, the queue's one consumer
      process.homeLoop().execute(() -> releaseQueued("the connection closed"));
      return;
    }
    scheduleDrain();
  }

  public void scheduleDrain() {
    if (ready && drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    Channel ch = channel;
    if (!ch.isActive()) {
      return; // channelInactive releases what is queued
    }
    int n = 0;
    long bytes = 0;
    long work = 0;
    long answers = 0;
    OutFrame f;
    ByteBuf last = null; // written once the next is known: the batch's promise goes with it
    // Hand frames to Netty only while it takes them: what the peer does not read stays here,
    // counted, instead of growing Netty's buffer without a bound.
    try {
      while (ch.isWritable() && (f = outbound.peek()) != null) {
        byte kind = f.kind();
        if (kind == Frames.REQUEST_WITH_HEADERS && !peerHelloRead) {
          // Only the peer's HELLO says whether it reads headers; until then this request, and
          // what follows it, waits (calls go out behind the HELLO, before the peer's is read).
          break;
        }
        outbound.poll();
        int size = f.size();
        bytes += size;
        n++;
        if (f.newWork()) {
          work += size;
        } else if (f.answers()) {
          answers += size;
        }
        ByteBuf out = f.bytes();
        if (kind == Frames.REQUEST_WITH_HEADERS
            && (peerFeatures & Frames.FEATURE_HEADERS) == 0) {
          out = Frames.withoutHeaders(ch.alloc(), out); // an older peer: no headers
        }
        if (last != null) {
          Netty.write(ch, last);
        }
        last = out;
      }
    } finally {
      if (n > 0) { // what left the queue is no longer held here, even if a rewrite failed
        queuedBytes.addAndGet(-bytes);
        process.outbound().release(work);
        if (answers > 0 && last == null) {
          process.inbound().release(answers); // a rewrite failed: none reached Netty
        } else {
          answersInNetty += answers;
        }
        if (last != null) {
          Netty.write(ch, last);
        }
        ch.flush();
        lastProgress = System.nanoTime();
        if (answersInNetty > 0) {
          settleAnswers(ch);
        }
      }
    }
    if (paused && queuedBytes.get() <= backlogLimit / 2) {
      resume(PAUSED_FOR_BACKLOG);
    }
    // if the channel turned unwritable, channelWritabilityChanged drains again
  }

  /**
   * Answers handed to Netty and still charged to the inbound budget, until the socket has taken
   * them. On the event loop.
   */
  private long answersInNetty;
  /** Of those, the ones written before the marker now in Netty's buffer; 0 when there is none. */
  private long answersBeforeMarker;
  private final ChannelFutureListener markerDone = done -> {
    // done or failed (the channel closed): either way Netty is through with what came before
    process.inbound().release(answersBeforeMarker);
    answersInNetty -= answersBeforeMarker;
    answersBeforeMarker = 0;
    if (answersInNetty > 0) {
      settleAnswers(done.channel());
    }
  };

  /**
   * Gives back the charge of answers once the socket has taken them. Usually the flush took
   * everything and Netty holds nothing, so a reply costs no promise and no listener; otherwise
   * an empty marker is written behind the answers, and its completion means the socket took
   * what came before it. (Netty's pending bytes count each entry with an overhead, the marker's
   * too, so only "nothing pending" says the answers are gone.)
   */
  private void settleAnswers(Channel ch) {
    var netty = ch.unsafe().outboundBuffer(); // null once closed
    if (netty == null || netty.totalPendingWriteBytes() == 0) {
      process.inbound().release(answersInNetty);
      answersInNetty = 0;
      answersBeforeMarker = 0; // a marker's listener may still be due: it then releases none
      return;
    }
    if (answersBeforeMarker == 0) {
      answersBeforeMarker = answersInNetty;
      ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(markerDone);
    }
  }

  @Override
  public boolean readingPaused() {
    return paused;
  }

  @Override
  public void pause(int reason) {
    onLoop(() -> {
      if (reason == PAUSED_FOR_BACKLOG && queuedBytes.get() <= backlogLimit / 2) {
        return; // drained since it was asked for: a pause now would have no drain to end it
      }
      pauseReasons |= reason;
      setPaused();
      if (reason == PAUSED_FOR_BACKLOG) {
        scheduleDrain(); // a drain always follows, and resumes once the backlog is down
      }
    });
  }

  /**
   * True if reading has been paused for this peer's backlog and nothing of it went out for
   * {@code nanos}: the peer does not read what it asked for. On the event loop.
   */
  public boolean stuckForBacklog(long nanos) {
    return (pauseReasons & PAUSED_FOR_BACKLOG) != 0 && System.nanoTime() - lastProgress > nanos;
  }

  @Override
  public void resume(int reason) {
    onLoop(() -> {
      pauseReasons &= ~reason;
      setPaused();
    });
  }

  private void setPaused() {
    boolean pause = pauseReasons != 0;
    if (pause != paused) {
      paused = pause;
      channel.config().setAutoRead(!pause);
    }
  }

  private void onLoop(Runnable task) {
    Channel ch = channel;
    if (ch == null) {
      return; // not connected yet: nothing is being read
    }
    if (ch.eventLoop().inEventLoop()) {
      task.run();
    } else {
      ch.eventLoop().execute(task);
    }
  }

  @Override
  public void refusedSend(String function, String why) {
    refusedSends.add(why);
  }

  @Override
  public void unknownSend(String function, String why) {
    unknownSends.add(why);
  }

  /**
   * One-way sends that failed here, gathered for a while and told to their sender in one ERROR
   * frame whose call id is minus their count, carrying the failure's kind.
   */
  private final class SendNotice {
    private final RpcException.Kind kind;
    private final String what;
    private final AtomicInteger count = new AtomicInteger();
    private volatile String why;

    SendNotice(RpcException.Kind kind, String what) {
      this.kind = kind;
      this.what = what;
    }

    void add(String why) {
      this.why = why;
      if (count.getAndIncrement() == 0) {
        Netty.later(channel.eventLoop(), this::notifySender, REFUSAL_NOTICE_MILLIS);
      }
    }

    private void notifySender() {
      int n = count.getAndSet(0);
      if (n > 0 && !isClosed()) {
        write(OutFrame.error(alloc(), -n, kind, n + what + process.id() + ": " + why, "", ""));
      }
    }
  }

  /** The peer said GOAWAY: no new calls go here; calls in flight may still be answered. */
  public void goingAway() {
    goingAway = true;
  }

  public boolean usable() {
    return !goingAway && !isClosed();
  }

  /** Closes the channel; {@link ConnectionHandler} fails what is pending when it goes inactive. */
  public void close() {
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    if (!ready) {
      Netty.close(ch);
      return;
    }
    // What was queued before the close goes out first; a peer that does not take it within a
    // second is not waited for.
    ch.eventLoop().execute(() -> {
      drain();
      ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
          .addListener(f -> Netty.close(ch));
      Netty.later(ch.eventLoop(), () -> Netty.close(ch), 1000);
    });
  }

  /** True while the connection is being dialled or its handshake is under way. */
  public boolean settling() {
    return !ready && !isClosed() && (channel == null || channel.isOpen());
  }

  /**
   * Frees frames that will never be sent; on the event loop, once the channel is gone. One-way
   * sends among them have no call to fail, so they are reported to the process's uncaught-error
   * handler, all in one report, saying {@code why}.
   */
  public void releaseQueued(String why) {
    int sends = 0;
    String function = null;
    long bytes = 0;
    long work = 0;
    long answers = 0;
    for (OutFrame f; (f = outbound.poll()) != null; ) {
      bytes += f.size();
      if (f.newWork()) {
        work += f.size();
      } else if (f.answers()) {
        answers += f.size();
      }
      String sent = f.function();
      if (sent != null) {
        sends++;
        if (function == null) {
          function = sent;
        }
      }
      f.release();
    }
    queuedBytes.addAndGet(-bytes);
    process.outbound().release(work);
    process.inbound().release(answers);
    if (sends > 0) {
      process.refusals().notSent(sends, "one-way send(s) to " + peer
          + " were not sent (the first to '" + function + "'): " + why);
    }
  }
}
