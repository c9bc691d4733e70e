package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.OutFrame;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One end of a link to a peer: frames out, and two tables — the calls this process sent over
 * it that await a reply, and the requests it received over it that are running.
 */
public abstract class Connection {
  public final Endpoint process;
  private final LongTable<Pending> pending = new LongTable<>();
  public final LongTable<Running> running = new LongTable<>();
  private volatile Supplier<RpcException> closedCause;
  /**
   * The shapes of the peer's classes, by which its values are read; null on the link to
   * oneself. Set on the I/O thread as SCHEMA frames arrive, before the frames that follow them.
   */
  public volatile WireSchema.Peer schema;

  /**
   * At most this many events of one peer wait in the process's run-queue at a time; the rest of
   * what was admitted from it waits in this connection's backlog, in order, and moves up as
   * those events start. So a flooding peer cannot put thousands of events ahead of another
   * peer's: a fresh peer waits behind a few dozen events of each busy one.
   */
  public static final int FAIR_SHARE = 32;

  /** Bytes of the inbound budget that this peer's admitted requests and sends hold. */
  final AtomicLong heldWork = new AtomicLong();
  /** Work of this peer was admitted or refused since {@link InboundShares#recount}. */
  volatile boolean contending;

  /** Bytes of the inbound budget that this peer's admitted requests and sends hold now. */
  public final long heldWork() {
    return heldWork.get();
  }

  /** Admitted work of the peer: an event, and what frees its resources if it never runs. */
  public interface Work extends Runnable {
    void drop();
  }

  // Nobody ever blocks on this lock, only tries it: with event-loop carriers, an event thread
  // that held it while parked on the baton would block its own carrier, the I/O thread.
  private final ReentrantLock fairness = new ReentrantLock();
  private final Queue<Work> incoming = smallQueue();
  private final ArrayDeque<Work> backlog = new ArrayDeque<>(); // guarded by fairness
  private volatile int backlogSize; // written under fairness
  private final AtomicInteger inRunQueue = new AtomicInteger();
  /** Work offered to {@link #incoming} and not yet arranged. */
  private final AtomicInteger unarranged = new AtomicInteger();

  public Connection(Endpoint process) {
    this.process = process;
  }

  /**
   * Queues admitted work as an event of the process, or in the backlog if this peer already has
   * its share waiting. Work must call {@link #started} first thing when it runs.
   */
  public final void submit(Work work) {
    // The common case, without the queue or the lock: nothing of this peer waits to be
    // arranged or in its backlog (so nothing can be overtaken), and it is under its share.
    if (unarranged.get() == 0 && backlogSize == 0) {
      if (inRunQueue.incrementAndGet() <= FAIR_SHARE) {
        if (!process.scheduler().trySubmit(work)) {
          inRunQueue.decrementAndGet();
          work.drop();
        }
        return;
      }
      inRunQueue.decrementAndGet();
    }
    unarranged.incrementAndGet();
    if (!incoming.offer(work)) { // a billion waiting: refused as the run-queue refuses, an overload
      unarranged.decrementAndGet();
      work.drop();
      return;
    }
    arrange();
  }

  /** An event of this peer has started: the next in its backlog may join the run-queue. */
  public final void started() {
    inRunQueue.decrementAndGet();
    if (backlogSize > 0) {
      arrange();
    }
  }

  /**
   * Moves incoming work and the backlog, in order, into the run-queue as far as the share
   * allows. Whoever holds the lock does it for everyone: a thread that finds the lock taken
   * leaves, and the holder looks again after letting go.
   */
  private void arrange() {
    while (fairness.tryLock()) {
      try {
        Work w;
        while (inRunQueue.get() < FAIR_SHARE && (w = backlog.poll()) != null) {
          toRunQueue(w);
        }
        while ((w = incoming.poll()) != null) {
          if (backlog.isEmpty() && inRunQueue.get() < FAIR_SHARE) {
            toRunQueue(w);
          } else {
            backlog.add(w);
          }
          backlogSize = backlog.size(); // before it stops counting as unarranged
          unarranged.decrementAndGet();
        }
        backlogSize = backlog.size();
      } finally {
        fairness.unlock();
      }
      if (incoming.isEmpty() && (backlogSize == 0 || inRunQueue.get() >= FAIR_SHARE)) {
        return; // nothing came, and no room opened, while the lock was held
      }
    }
  }

  /** Under the lock. */
  private void toRunQueue(Work w) {
    inRunQueue.incrementAndGet();
    if (!process.scheduler().trySubmit(w)) {
      inRunQueue.decrementAndGet();
      w.drop(); // stopped: none of what waits will run
      for (Work rest; (rest = backlog.poll()) != null; ) {
        rest.drop();
      }
    }
  }

  /** Why reading from a peer is paused: its replies fill our inbound budget. */
  public static final int PAUSED_FOR_REPLIES = 1;
  /** Why reading from a peer is paused: it does not read what we send it. */
  public static final int PAUSED_FOR_BACKLOG = 2;

  /**
   * Stops reading from the peer for {@code reason}, from any thread, until {@link #resume} with
   * the same reason; a no-op where there is no socket. Never for excess requests: those are
   * refused one by one, so a connection always reads its CANCELs and later requests.
   */
  public void pause(int reason) {
  }

  /** Ends a {@link #pause} for {@code reason}; reading resumes when no reason is left. */
  public void resume(int reason) {
  }

  /** True while reading is paused. */
  public boolean readingPaused() {
    return false;
  }

  /** True while the peer leaves more unread than it may (see {@link ChannelConnection}). */
  public boolean backlogged() {
    return false;
  }

  /**
   * Why a request admitted from this peer must not run now, or null if it may: its reply would
   * have nowhere to wait. Answers not yet written count against the process's inbound budget,
   * so once they fill it — or this peer leaves too much unread — requests about to start are
   * answered OVERLOADED instead: a few bytes each, however large their replies would be.
   */
  public final String whyNotRun() {
    if (backlogged()) {
      return peer() + " has not read what " + process.id() + " already sent it (expected: a "
          + "peer that reads its replies)";
    }
    Budget in = process.inbound();
    long used = in.used();
    if (used > in.limit()) {
      return process.id() + " holds " + used + " bytes of work and unwritten replies "
          + "(expected: at most " + in.limit() + "; RpcConfig.withMaxQueuedBytes at the callee)";
    }
    return null;
  }

  /**
   * Queues a whole frame for sending, whatever the outbound budget says: replies, errors and
   * cancels of work already under way. Takes ownership of it.
   */
  public abstract void write(OutFrame frame);

  /**
   * Queues a frame of new work (a call or a one-way send) if the process's outbound budget has
   * room for it, taking ownership; returns false, leaving the frame to the caller, if not.
   */
  public boolean offer(OutFrame frame) {
    write(frame);
    return true;
  }

  /** The peer refused one-way sends; says so to the peer, a little later, all in one notice. */
  public void refusedSend(String function, String why) {
  }

  /**
   * A one-way send from the peer named a function this process does not export; says so to the
   * peer (the sender), a little later, all in one notice.
   */
  public void unknownSend(String function, String why) {
  }

  public abstract ByteBufAllocator alloc();

  /** The process at the other end, or null before its handshake. */
  public abstract ProcessId peer();

  /**
   * An MPSC queue that starts small and grows in chunks of 32 up to 2^30 entries, where
   * {@code offer} returns false (its callers must look). Netty's default
   * {@code newMpscQueue()} starts with a chunk of 1,024 slots, 4 KiB per queue before anything is
   * queued: two of them were two thirds of the heap an idle connection held (issue 22).
   */
  static <T> Queue<T> smallQueue() {
    return PlatformDependent.newMpscQueue(32, 1 << 30);
  }

  public final boolean isClosed() {
    return closedCause != null;
  }

  /** Why the connection closed; only once {@link #isClosed()}. */
  public final RpcException closedCause() {
    return closedCause.get();
  }

  /**
   * Adds a call that is about to be sent; fails it at once if the connection is closed.
   *
   * @throws IllegalStateException if a call with its id is pending: ids are this process's own
   *     and never reused, so that is a bug, and the second call would never have been answered
   */
  public final void add(Pending call) {
    if (pending.putIfAbsent(call.id(), call) != null) {
      throw new IllegalStateException("call id " + call.id() + " is already pending");
    }
    Supplier<RpcException> cause = closedCause;
    if (cause != null && pending.remove(call.id(), call)) {
      call.fail(cause.get());
    }
  }

  public final boolean remove(Pending call) {
    return pending.remove(call.id(), call);
  }

  /** Removes and returns the call a reply is for, or null if it has already ended. */
  public final Pending take(long callId) {
    return pending.remove(callId);
  }

  public final int pendingCount() {
    return pending.size();
  }

  public final void sendCancel(long callId) {
    if (!isClosed()) {
      write(OutFrame.cancel(alloc(), callId));
    }
  }

  /**
   * Marks the connection closed and fails every call pending on it with a fresh exception from
   * {@code cause}; calls added later fail at once. Running requests are cancelled: their replies
   * have nowhere to go.
   */
  public final void failAll(Supplier<RpcException> cause) {
    closedCause = cause;
    for (Pending call : pending.values()) {
      if (pending.remove(call.id(), call)) {
        call.fail(cause.get());
      }
    }
    for (Running r : running.values()) {
      r.cancel();
    }
  }
}
