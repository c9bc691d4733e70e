package dev.moonwire.rpc.runtime.internal.dispatch;

import dev.moonwire.rpc.runtime.internal.wire.Message;

import dev.moonwire.rpc.runtime.internal.transport.Running;

import dev.moonwire.rpc.runtime.internal.transport.Connection;
import dev.moonwire.rpc.runtime.internal.transport.CallListener;
import dev.moonwire.rpc.runtime.internal.transport.InboundShares;
import dev.moonwire.rpc.runtime.internal.transport.PeerLog;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.OutFrame;

import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.runtime.internal.transport.Observed;
import dev.moonwire.rpc.SerializationException;
import io.netty.buffer.ByteBuf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process's exported functions, and how an incoming request becomes a reply: it is queued as
 * an event of the process; the event decodes the arguments, runs the handler and queues the
 * reply (or the typed error) on the connection it came from.
 */
public final class Dispatcher implements CallListener {
  /** The request whose handler runs on this thread, and its absolute deadline (nanoTime). */
  private static final ThreadLocal<Current> CURRENT = ThreadLocal.withInitial(Current::new);

  private static final class Current {
    long deadlineAt;
    RunningRequest request;
    /** The peer whose request or one-way message the running handler handles, or null. */
    dev.moonwire.rpc.ProcessId sender;
    /** The kind of the error the running request answers with; null for a value. */
    RpcException.Kind outcome;
  }

  /** Deadlines beyond a year are taken as a year: no timer arithmetic overflows. */
  private static final long MAX_DEADLINE_MILLIS = TimeUnit.DAYS.toMillis(365);

  private final Host process;
  private final Map<String, Handler> functions = new ConcurrentHashMap<>();
  private final Object idle = new Object();
  private final java.util.concurrent.atomic.AtomicInteger running =
      new java.util.concurrent.atomic.AtomicInteger();

  public Dispatcher(Host process) {
    this.process = process;
  }

  public void export(String name, Handler handler) {
    functions.put(name, handler);
  }

  /**
   * Exports each public method of {@code type} (named {@code prefix.method}, or just the
   * method's name for a null prefix), after registering the records and enums of its signatures.
   *
   * @throws IllegalArgumentException if {@code type} is not an interface or has ambiguous
   *     overloads: nothing is exported
   */
  public <T> void export(String prefix, Class<T> type, T implementation) {
    var handlers = InterfaceExporter.handlers(prefix, type, implementation);
    process.registry().addSignatures(type);
    handlers.forEach(functions::put);
  }

  public boolean unexport(String name) {
    return functions.remove(name) != null;
  }

  /**
   * The time left to the deadline of the request being handled on this thread, in nanoseconds,
   * or {@link Long#MAX_VALUE} outside any handler.
   */
  public static long inheritedDeadlineNanos() {
    long at = CURRENT.get().deadlineAt;
    return at == 0 ? Long.MAX_VALUE : at - System.nanoTime();
  }

  /**
   * The process that sent the request or one-way message whose handler runs on this thread —
   * the peer its connection's handshake named (this process itself for a call to itself) — or
   * null outside any handler.
   */
  public static dev.moonwire.rpc.ProcessId currentSender() {
    return CURRENT.get().sender;
  }

  /**
   * Whether the request whose handler runs on this thread has been cancelled (by CANCEL or its
   * deadline). The flag is set by the canceller before it interrupts the handler, so another
   * event can see it before the handler's thread has run again.
   */
  public static java.util.function.BooleanSupplier currentCancellation() {
    RunningRequest r = CURRENT.get().request;
    return r == null ? Dispatcher::never : r::cancelled;
  }

  private static boolean never() {
    return false;
  }

  /**
   * On the I/O thread: admits a request and queues it as an event, or refuses it at once with
   * an OVERLOADED error — too many requests from this peer running, or too many bytes of work
   * held by this process or for this peer ({@link InboundShares}) — and goes on reading.
   * Retains {@code frame} (positioned at the arguments; {@code frameBytes} long in all) only if
   * it admits it.
   */
  @Override
  public void request(Connection conn, Message.Request request) {
    long callId = request.callId();
    long deadlineMillis = request.deadlineMillis();
    int headersAt = request.headersAt();
    String function = request.function();
    ByteBuf frame = request.payload();
    int frameBytes = request.frameBytes();
    if (process.isClosing()) {
      conn.write(OutFrame.error(conn.alloc(), callId, RpcException.Kind.PEER_UNAVAILABLE,
          "process " + process.id() + " is closing; '" + function + "' did not run", "", ""));
      return;
    }
    int limit = process.config().maxInFlight();
    if (conn.running.size() >= limit) {
      refuse(conn, callId, function, process.id() + " already runs " + limit
          + " requests from " + conn.peer() + " (expected: fewer calls in flight, or a larger "
          + "RpcConfig.withMaxInFlight at the callee)");
      return;
    }
    long cost = (long) frameBytes + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES;
    if (!process.shares().tryTake(conn, cost)) {
      refuse(conn, callId, function, full(conn, cost));
      return;
    }
    ByteBuf payload = frame.retain();
    long millis = Math.max(0, Math.min(deadlineMillis, MAX_DEADLINE_MILLIS));
    long deadlineAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    Admitted r = new Admitted(cost, conn, callId, deadlineAt, function, headersAt, payload);
    if (conn.running.putIfAbsent(callId, r) != null) {
      payload.release();
      process.shares().release(conn, cost);
      throw new ProtocolException("call id " + callId + " is already running (expected: a "
          + "new id for each request)");
    }
    running.incrementAndGet();
    conn.submit(r);
  }

  /**
   * An admitted request: its table entry, its event and what frees it if it never runs, in one
   * object (they were three, and this is allocated for every request).
   */
  private final class Admitted extends RunningRequest implements Connection.Work {
    private final Connection conn;
    private final long callId;
    private final String function;
    private final int headersAt;
    private final ByteBuf payload;

    Admitted(long cost, Connection conn, long callId, long deadlineAt, String function,
        int headersAt, ByteBuf payload) {
      super(cost);
      this.deadlineAt = deadlineAt; // kept by sweepDeadlines, CANCEL or not
      this.conn = conn;
      this.callId = callId;
      this.function = function;
      this.headersAt = headersAt;
      this.payload = payload;
    }

    @Override
    public void run() {
      conn.started();
      handle(conn, callId, deadlineAt, function, headersAt, payload, this);
    }

    @Override
    public void drop() {
      payload.release(); // stopped: the caller's call ends with the connection
      ended(conn, callId, this);
      leftOne();
    }
  }

  /**
   * The callee keeps each request's deadline itself, so a held or waiting handler leaves even
   * if the caller's CANCEL never arrives: every {@link #SWEEP_MILLIS} the requests still running
   * past their deadline are cancelled. (A sweep, not a timer per request: the caller's own
   * timer is the precise one, and a timer per request cost a tenth of the throughput.)
   */
  public void sweepDeadlines(Iterable<? extends Connection> connections) {
    long now = System.nanoTime();
    for (Connection c : connections) {
      for (Running r : c.running.values()) {
        if (now - r.deadlineAt() > 0) {
          r.cancel();
        }
      }
    }
  }

  public static final long SWEEP_MILLIS = 50;

  /** Why {@code cost} more bytes of work from {@code conn} were refused. */
  private String full(Connection conn, long cost) {
    InboundShares shares = process.shares();
    if (shares.overShare(conn, cost)) {
      int others = shares.contenders() - 1;
      return process.id() + " holds " + conn.heldWork() + " bytes of work from " + conn.peer()
          + " (expected: at most its fair share, " + shares.cap() + " bytes, "
          + (others > 0 ? "while " + others + " other peer(s) have work there"
              : "the budget but a reserve for other peers")
          + "; RpcConfig.withMaxQueuedBytes at the callee)";
    }
    return process.id() + " holds " + process.inbound().used() + " bytes of work (expected: at "
        + "most " + process.inbound().limit() + "; RpcConfig.withMaxQueuedBytes at the callee)";
  }

  private void refuse(Connection conn, long callId, String function, String why) {
    PeerLog.warn(process, "overloaded", conn.peer(), "refused a call to '" + function
        + "': " + why);
    conn.write(OutFrame.error(conn.alloc(), callId, RpcException.Kind.OVERLOADED,
        "'" + function + "' did not run: " + why, "", ""));
  }

  /**
   * On the I/O thread: admits a one-way message and queues it as an event, or refuses it — the
   * sender is told, a little later and with the others refused meanwhile.
   */
  @Override
  public void send(Connection conn, Message.Send send) {
    String function = send.function();
    ByteBuf frame = send.payload();
    int frameBytes = send.frameBytes();
    long cost = (long) frameBytes + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES;
    String refusal = process.isClosing() ? process.id() + " is closing"
        : process.shares().tryTake(conn, cost) ? null : full(conn, cost);
    if (refusal != null) {
      PeerLog.warn(process, "overloaded", conn.peer(), "refused a one-way send to '" + function
          + "': " + refusal);
      conn.refusedSend(function, refusal);
      return;
    }
    ByteBuf payload = frame.retain();
    running.incrementAndGet(); // close()'s grace covers one-way handlers as it covers requests
    conn.submit(new Connection.Work() {
      @Override
      public void run() {
        conn.started();
        try {
          Handler h = functions.get(function);
          if (h == null) {
            // the sender's mistake, so the sender is told; here it is only a peer's noise
            PeerLog.warn(process, "unknown function", conn.peer(),
                "a one-way send to '" + function + "', which this process does not export");
            payload.release();
            conn.unknownSend(function, noSuchFunction(function));
            return;
          }
          Object[] args = decode(conn, payload, function);
          Current current = CURRENT.get();
          dev.moonwire.rpc.ProcessId outer = current.sender;
          current.sender = conn.peer();
          try {
            h.handle(Args.of(function, args));
          } finally {
            current.sender = outer;
          }
        } catch (Throwable t) {
          process.reportUncaught(t, "one-way send '" + function + "' from " + conn.peer());
        } finally {
          process.shares().release(conn, cost);
          leftOne();
        }
      }

      @Override
      public void drop() {
        payload.release();
        process.shares().release(conn, cost);
        leftOne();
      }
    });
  }

  @Override
  public void cancel(Connection conn, long callId) {
    Running r = conn.running.get(callId);
    if (r != null) {
      r.cancel();
    }
  }

  private void handle(Connection conn, long callId, long deadlineAt, String function,
      int headersAt, ByteBuf payload, RunningRequest r) {
    OutFrame reply = null;
    Current current = CURRENT.get();
    RpcObserver observer = process.observer();
    RpcObserver.Call observed = null;
    long start = 0;
    if (observer != null) {
      start = System.nanoTime();
      observed = serverCall(observer, conn, function, headersAt, payload);
    }
    current.outcome = null;
    int sent = 0;
    try {
      if (r.cancelled()) {
        payload.release();
        return;
      }
      String notNow = conn.whyNotRun();
      if (notNow != null) { // its reply would have nowhere to wait: DESIGN §6
        payload.release();
        PeerLog.warn(process, "overloaded", conn.peer(), "refused a call to '" + function
            + "' as it was about to run: " + notNow);
        reply = error(conn, callId, RpcException.Kind.OVERLOADED, "'" + function
            + "' did not run: " + notNow);
        return;
      }
      if (process.threadPerEvent()) {
        r.started(Thread.currentThread());
      }
      current.deadlineAt = deadlineAt;
      current.request = r;
      current.sender = conn.peer();
      reply = invoke(conn, callId, function, payload);
    } finally {
      current.deadlineAt = 0;
      current.request = null;
      current.sender = null;
      boolean cancelled = true;
      try {
        ended(conn, callId, r);
        cancelled = r.cancelled();
        if (reply != null) {
          if (cancelled) {
            reply.release();
          } else {
            sent = reply.size();
            conn.write(reply);
          }
        }
      } finally {
        if (observed != null) { // on this thread, whatever happened above: a scope closes here
          Observed.ended(observed, cancelled ? RpcException.Kind.CANCELLED : current.outcome,
              System.nanoTime() - start, sent,
              r.cost - RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES + Frames.LENGTH_PREFIX_BYTES);
        }
        leftOne();
      }
    }
  }

  /**
   * The observer's handle on a request that has its turn. Its headers were checked on the I/O
   * thread, so reading them cannot fail; if it did, that is reported, and the request is
   * observed without them.
   */
  private RpcObserver.Call serverCall(RpcObserver observer, Connection conn, String function,
      int headersAt, ByteBuf payload) {
    CallHeaders headers = CallHeaders.empty();
    if (headersAt >= 0) {
      try {
        headers = Frames.readHeaders(payload, headersAt);
      } catch (RuntimeException e) {
        process.reportUncaught(e, "the headers of a request for '" + function + "' from "
            + conn.peer());
      }
    }
    return Observed.serverCall(observer, conn.peer(), function, headers);
  }

  /**
   * A request is over: its thread, its table entry (before its reply goes, so the caller's next
   * call finds the slot free) and its bytes are free.
   */
  private void ended(Connection conn, long callId, RunningRequest r) {
    r.finished(); // after this no CANCEL can interrupt the next event on this thread
    conn.running.remove(callId, r);
    process.shares().release(conn, r.cost);
  }

  /** One running request or one-way handler fewer; close() may be waiting for none. */
  private void leftOne() {
    if (running.decrementAndGet() == 0 && process.isClosing()) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  private OutFrame invoke(Connection conn, long callId, String function, ByteBuf payload) {
    Object result;
    try {
      Object[] args = decode(conn, payload, function);
      Handler h = functions.get(function);
      if (h == null) {
        return error(conn, callId, RpcException.Kind.NO_SUCH_FUNCTION, noSuchFunction(function));
      }
      result = h.handle(Args.of(function, args));
      if (result instanceof CompletionStage<?> stage) {
        // an asynchronous implementation: the reply goes when its stage completes
        result = process.await(stage);
      }
    } catch (BadArgumentsException | SerializationException | GroupException
        | dev.moonwire.rpc.FencedException e) {
      // what the caller asked for was wrong (or, fenced, is no longer so): the caller gets the
      // kind itself
      return error(conn, callId, e.kind(), e.getMessage());
    } catch (Throwable thrown) {
      Throwable t = thrown instanceof CompletionException && thrown.getCause() != null
          ? thrown.getCause() : thrown;
      StringWriter stack = new StringWriter();
      t.printStackTrace(new PrintWriter(stack));
      CURRENT.get().outcome = RpcException.Kind.REMOTE_INVOCATION;
      return OutFrame.error(conn.alloc(), callId, RpcException.Kind.REMOTE_INVOCATION,
          t.getMessage(), t.getClass().getName(), stack.toString());
    }
    try {
      return process.codec().encodeReply(conn.alloc(), callId, function, result);
    } catch (SerializationException e) {
      return error(conn, callId, e.kind(), e.getMessage());
    } catch (RuntimeException | OutOfMemoryError e) {
      return error(conn, callId, RpcException.Kind.SERIALIZATION, "cannot serialize the result "
          + "of '" + function + "': " + e);
    }
  }

  private Object[] decode(Connection conn, ByteBuf payload, String function) {
    try {
      return process.codec().decodeArgs(payload, function, conn.schema);
    } finally {
      payload.release();
    }
  }

  private String noSuchFunction(String function) {
    return "process " + process.id() + " exports no function '" + function + "'";
  }

  /** An error reply to the running request, whose outcome it becomes. */
  private static OutFrame error(Connection conn, long callId, RpcException.Kind kind,
      String message) {
    CURRENT.get().outcome = kind;
    return OutFrame.error(conn.alloc(), callId, kind, message, "", "");
  }

  /**
   * Waits until no request or one-way handler is running or queued, or the time is up. Returns
   * true if none is.
   */
  public boolean awaitIdle(long nanos) {
    long end = System.nanoTime() + nanos;
    synchronized (idle) {
      while (running.get() > 0) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(idle, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return running.get() == 0;
        }
      }
      return true;
    }
  }
}
