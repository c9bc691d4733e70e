package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.dispatch.Host;
import dev.moonwire.rpc.runtime.internal.wire.Message;

import dev.moonwire.rpc.runtime.internal.transport.Observed;
import dev.moonwire.rpc.runtime.internal.call.PendingCall;
import dev.moonwire.rpc.runtime.internal.call.Reply;
import dev.moonwire.rpc.runtime.internal.call.ReplySink;
import dev.moonwire.rpc.runtime.internal.dispatch.Dispatcher;
import dev.moonwire.rpc.runtime.internal.dispatch.InterfaceExporter;
import dev.moonwire.rpc.runtime.internal.transport.Budget;
import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.runtime.internal.transport.Connection;
import dev.moonwire.rpc.runtime.internal.transport.Connections;
import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;
import dev.moonwire.rpc.runtime.internal.transport.Loggers;
import dev.moonwire.rpc.runtime.internal.transport.PeerLog;
import dev.moonwire.rpc.runtime.internal.transport.Refusals;
import dev.moonwire.rpc.runtime.internal.transport.Transport;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.WireCodec;
import dev.moonwire.rpc.runtime.internal.wire.WireKryo;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;

import dev.moonwire.rpc.Callback;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.ErrorCallback;
import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.ProcessStats;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.SyncFunction;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's process: a listening channel, connections to peers, the call primitive
 * ({@link #call}) that every call style is built on, and the event scheduler that runs the
 * process's events one at a time.
 */
public final class RuntimeProcess implements RpcProcess, Host {
  private static final Logger log = LoggerFactory.getLogger(Loggers.PROCESS);

  private final RpcConfig config;
  private final byte[] secret;
  /** The observer of calls and connections, or null: every hook checks, nothing else runs. */
  private final RpcObserver observer;
  private final SyncLayer layer;
  private final WireRegistry registry;
  private final WireCodec codec;
  private final Dispatcher dispatcher = new Dispatcher(this);
  private final AtomicLong callIds = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private final Channel server;
  private final ProcessId id;
  private final EventScheduler scheduler;
  private final BlockedEventChecker blockedChecker; // null when off
  private final PeerLog peerLog = new PeerLog(this);
  private final Budget inbound;
  private final Budget replies;
  private final Budget outbound;
  private final Refusals refusals = new Refusals(this);
  /**
   * The I/O thread of all this process's connections: one thread sees all of a process's
   * traffic, and the synchronous layer can carry the process's virtual threads on it.
   */
  private final EventLoop home = Transport.GROUP.next();
  private final Connections connections;

  /**
   * Binds the port and starts the process.
   *
   * @throws IllegalStateException if the port cannot be bound
   */
  public RuntimeProcess(RpcConfig config, SyncLayer layer) {
    this.config = Objects.requireNonNull(config, "config");
    this.layer = Objects.requireNonNull(layer, "layer");
    this.secret = config.secret();
    this.observer = config.observer();
    this.registry = new WireRegistry(config.registeredClasses(), WireKryo.BUILT_IN);
    this.codec = new WireCodec(() -> Processes.current() == this, registry,
        config.maxFrameBytes());
    this.inbound = new Budget(config.maxQueuedBytes());
    this.replies = new Budget(config.maxQueuedBytes());
    this.outbound = new Budget(config.maxQueuedBytes());
    this.connections = new Connections(this, home);
    registry.listen(added -> connections.all().forEach(c -> c.schemaGrew(added)));
    // Unread replies have a budget of their own: admitted requests may keep the inbound one
    // between half and full for as long as load lasts, and reading must resume all the same.
    replies.onRelief(() -> connections.resumeAll(Connection.PAUSED_FOR_REPLIES));
    // Bound with accepting paused, so that no peer arrives before the process is whole.
    ChannelFuture bound = new ServerBootstrap()
        .group(Transport.GROUP, home)
        .channel(Transport.serverChannelType())
        .option(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.WATER_MARK)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.accepted(ch);
          }
        })
        .bind(config.host(), config.port())
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      // Netty's native exceptions are not the user's business; the JDK's may be.
      Throwable cause = bound.cause();
      throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
          + ": " + cause.getMessage(),
          cause.getClass().getName().startsWith("java.") ? cause : null);
    }
    this.server = bound.channel();
    this.id = ProcessId.of(config.advertisedHost(),
        ((InetSocketAddress) server.localAddress()).getPort());
    codec.self(id);
    this.scheduler = layer.newScheduler(this);
    this.blockedChecker =
        BlockedEventChecker.start(this, scheduler.clock(), config.blockedEventThreshold());
    sweepDeadlines();
    Processes.opened(this);
    if (observer != null) {
      Observed.opened(observer, this); // whole, and no peer in yet
    }
    SpawnedChild.opened(this);
    server.config().setAutoRead(true);
    server.read();
  }

  // ---- what the other layers use --------------------------------------------------------

  @Override
  public RpcConfig config() {
    return config;
  }

  /** The event loop all this process's connections live on. */
  @Override
  public Executor homeLoop() {
    return home;
  }

  /** The shared secret; empty for none. Not to be modified. */
  @Override
  public byte[] secret() {
    return secret;
  }

  /** Bytes of work peers gave this process that have not ended (requests, sends, replies). */
  @Override
  public Budget inbound() {
    return inbound;
  }

  /** Bytes queued to go out to peers. */
  @Override
  public Budget outbound() {
    return outbound;
  }

  /** Where failed one-way sends are reported. */
  @Override
  public Refusals refusals() {
    return refusals;
  }

  /** One-way sends of this process reported failed so far (for tests). */
  public long failedSends() {
    return refusals.total();
  }

  /** Where warnings a peer can trigger go, rate-limited. */
  @Override
  public PeerLog peerLog() {
    return peerLog;
  }

  SyncLayer layer() {
    return layer;
  }

  @Override
  public WireCodec codec() {
    return codec;
  }

  /** The classes this process lets cross the wire. */
  @Override
  public WireRegistry registry() {
    return registry;
  }

  /**
   * Registers the records and enums in the signatures of {@code type} (an interface exported
   * or called through a proxy).
   *
   * @throws IllegalArgumentException if one's wire id is taken by another class
   */
  public void registerSignatures(Class<?> type) {
    registry.addSignatures(type);
  }

  /** The scheduler that runs this process's events. */
  @Override
  public EventScheduler scheduler() {
    return scheduler;
  }

  @Override
  public boolean isClosing() {
    return closing.get();
  }

  /**
   * Sends a request and arranges for {@code sink} to get its outcome exactly once. The deadline
   * is cut to what is left of the deadline of the request being handled on this thread, if any.
   *
   * @return the pending call, which can be cancelled
   * @throws RpcException at once, with nothing sent, if the arguments cannot be serialized, the
   *     process is closed, or the inherited deadline has already passed
   */
  public PendingCall call(ProcessId target, String function, Object[] args, Duration deadline,
      ReplySink sink) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(function, "function");
    ensureOpen();
    long millis = deadline.toMillis();
    long inherited = Dispatcher.inheritedDeadlineNanos();
    if (inherited != Long.MAX_VALUE) {
      if (inherited <= 0) {
        throw new DeadlineExceededException("call to '" + function + "' on " + target
            + " not sent: the deadline of the request being handled has passed");
      }
      millis = Math.min(millis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(inherited)));
    }
    long callId = callIds.incrementAndGet();
    RpcObserver.Call observed = null;
    CallHeaders headers = null;
    long start = 0;
    if (observer != null) {
      headers = new CallHeaders();
      start = System.nanoTime();
      observed = Observed.clientCall(observer, target, function, headers);
    }
    ByteBuf frame;
    Connection conn;
    try {
      // Encoded before any connection is made: arguments that cannot be sent touch no wire.
      frame = codec.encodeCall(ByteBufAllocator.DEFAULT, Frames.REQUEST, callId, millis,
          function, args == null ? new Object[0] : args, headers);
      conn = connections.forFrame(target, frame);
      if (conn.pendingCount() >= config.maxInFlight()) {
        frame.release();
        throw new OverloadedException("call to '" + function + "' on " + target + " not sent: "
            + config.maxInFlight() + " calls are already in flight to it (expected: fewer, or "
            + "a larger RpcConfig.withMaxInFlight)");
      }
    } catch (Throwable e) { // an Error too: the observed call ends
      Observed.ended(observed, e instanceof RpcException r ? r.kind()
          : RpcException.Kind.SERIALIZATION, System.nanoTime() - start, 0, 0);
      throw e;
    }
    PendingCall call = new PendingCall(callId, function, target, conn, sink, millis);
    if (observed != null) {
      call.observe(observed, start, frame.readableBytes()); // before the table publishes it
    }
    conn.add(call);
    if (!conn.offer(frame)) {
      frame.release();
      if (conn.remove(call)) {
        call.notSent(RpcException.Kind.OVERLOADED);
        throw new OverloadedException("call to '" + function + "' on " + target + " not sent: "
            + outbound.used() + " bytes already wait to go out to peers (expected: at most "
            + outbound.limit() + ", RpcConfig.withMaxQueuedBytes)");
      }
      // the connection closed meanwhile and has already failed the call: that is its outcome
    }
    call.armDeadline(); // after the frame is queued: its CANCEL can never go out before it
    return call;
  }

  /**
   * Runs {@code task} on the timer thread after {@code delay}; it must only hand work over.
   *
   * @return an action that cancels the task if it has not run yet
   */
  public Runnable schedule(Runnable task, Duration delay) {
    var timeout = Transport.TIMER.newTimeout(t -> task.run(), Math.max(1, delay.toNanos()),
        TimeUnit.NANOSECONDS);
    return timeout::cancel;
  }

  /**
   * Whether the request being handled on the calling thread has been cancelled; always false
   * outside a handler. Readable from any thread, and true from the moment of the cancel.
   */
  public static java.util.function.BooleanSupplier currentCancellation() {
    return Dispatcher.currentCancellation();
  }

  /** Runs {@code task} (user code) as an event; what it throws is reported. */
  @Override
  public void submitUser(Runnable task) {
    scheduler.submit(() -> {
      try {
        task.run();
      } catch (Throwable t) {
        reportUncaught(t);
      }
    });
  }

  /** Reports what user code threw, or a failure nobody else will see. */
  @Override
  public void reportUncaught(Throwable t) {
    reportUncaught(t, null);
  }

  /**
   * Reports {@code t}; {@code where} (say, which peer's send it was) goes into the default
   * log line. The user's handler gets {@code t} as it is.
   */
  @Override
  public void reportUncaught(Throwable t, String where) {
    var handler = config.uncaughtErrorHandler();
    if (handler == null) {
      log.warn("{}: uncaught error{}", id, where == null ? "" : " in " + where, t);
      return;
    }
    try {
      handler.accept(t);
    } catch (Throwable t2) {
      log.error("{}: the uncaught-error handler threw; the process goes on", id, t2);
    }
  }

  @Override
  public boolean threadPerEvent() {
    return layer.threadPerEvent();
  }

  /** Test-only fault injection ({@link Faults}); null in normal use. */
  private final Faults faults = Faults.fromProperty(home);

  @Override
  public void route(Connection conn, Message message) {
    // frames between processes only: what a process sends itself is no network's to reorder
    if (faults != null && !(message instanceof Message.Cancel) && conn != connections.local()) {
      faults.delay(conn, message, this::routeNow);
      return;
    }
    routeNow(conn, message);
  }

  private void routeNow(Connection conn, Message message) {
    switch (message) {
      case Message.Request request -> dispatcher.request(conn, request);
      case Message.Send send -> dispatcher.send(conn, send);
      case Message.Cancel cancel -> dispatcher.cancel(conn, cancel.callId());
      case Message.Reply reply -> {
        if (conn.take(reply.callId()) instanceof PendingCall call) {
          // A reply cannot be refused: the call has run. It counts until it is read, and a
          // process full of unread replies reads no more from that peer until they drain.
          long cost = reply.payload().readableBytes() + RpcConfig.QUEUED_EVENT_OVERHEAD_BYTES;
          if (replies.take(cost)) {
            // on conn's event loop: a relief that raced this queues its resume after it
            conn.pause(Connection.PAUSED_FOR_REPLIES);
          }
          call.complete(Reply.value(codec, call.function, conn.schema,
              reply.payload().retain(), reply.frameBytes() + Frames.LENGTH_PREFIX_BYTES, replies,
              cost));
        }
      }
      case Message.Error error -> {
        long callId = error.callId();
        if (callId <= 0) {
          // not a call's error: a notice that the peer refused -callId of our one-way sends
          long n = callId == Long.MIN_VALUE ? Integer.MAX_VALUE : Math.min(-callId,
              Integer.MAX_VALUE); // a count from the peer: clamped, never negative
          refusals.overloaded(n, error.toException("send").getMessage());
          return;
        }
        if (conn.take(callId) instanceof PendingCall call) {
          call.complete(Reply.failure(error.toException(call.function)));
        }
      }
      case Message.Oversized o -> {
        if (conn.take(o.callId()) instanceof PendingCall call) {
          call.fail(new SerializationException("the result of '" + call.function + "' from "
              + conn.peer() + " is " + o.length() + " bytes, over maxFrameBytes (" + o.limit()
              + ") of " + id + "; '" + call.function + "' ran there (expected: smaller values, "
              + "or a larger RpcConfig.withMaxFrameBytes at " + id + ")"));
        }
      }
      default -> throw new ProtocolException("unexpected " + message.getClass().getSimpleName()
          + " after the handshake");
    }
  }

  /** True if reading is paused on one of this process's connections (for tests). */
  public boolean readingPausedOnSomeConnection() {
    return connections.readingPausedOnSome();
  }

  /** How many network connections this process has, both directions (for tests). */
  int connectionCount() {
    return connections.size();
  }

  /** This process's network connections as of now (for tests). */
  List<ChannelConnection> connectionsNow() {
    return connections.all();
  }

  @Override
  public void connectionClosed(ChannelConnection conn) {
    if (faults != null) {
      faults.forget(conn);
    }
    connections.closed(conn);
    if (observer != null && conn.opened) {
      Observed.connection(observer, conn.peer(), false);
    }
  }

  @Override
  public void connectionOpened(ChannelConnection conn) {
    conn.opened = true;
    if (observer != null) {
      Observed.connection(observer, conn.peer(), true);
    }
  }

  @Override
  public RpcObserver observer() {
    return observer;
  }

  private void ensureOpen() {
    if (closed) {
      throw new ProcessClosedException("process " + id + " is closed");
    }
  }

  // ---- RpcProcess ----------------------------------------------------------------------

  @Override
  public ProcessId id() {
    return id;
  }

  @Override
  public RpcProcess export(String name, Handler handler) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handler, "handler");
    dispatcher.export(name, handler);
    SpawnedChild.exported(this);
    return this;
  }

  @Override
  public <T> RpcProcess export(Class<T> type, T implementation) {
    var handlers = InterfaceExporter.handlers(null, type, implementation);
    registry.addSignatures(type);
    handlers.forEach(dispatcher::export);
    SpawnedChild.exported(this);
    return this;
  }

  @Override
  public <T> RpcProcess export(String prefix, Class<T> type, T implementation) {
    Objects.requireNonNull(prefix, "prefix");
    var handlers = InterfaceExporter.handlers(prefix, type, implementation);
    registry.addSignatures(type);
    handlers.forEach(dispatcher::export);
    SpawnedChild.exported(this);
    return this;
  }

  @Override
  public boolean unexport(String name) {
    return dispatcher.unexport(name);
  }

  @Override
  public <T> RemoteFunction async(ProcessId target, String function, Callback<T> callback) {
    return async(List.of(target), function, callback, null);
  }

  @Override
  public <T> RemoteFunction async(ProcessId target, String function, Callback<T> callback,
      ErrorCallback onError) {
    return async(List.of(target), function, callback, Objects.requireNonNull(onError, "onError"));
  }

  @Override
  public <T> RemoteFunction async(Collection<ProcessId> targets, String function,
      Callback<T> callback) {
    return async(targets, function, callback, null);
  }

  @Override
  public <T> RemoteFunction async(Collection<ProcessId> targets, String function,
      Callback<T> callback, ErrorCallback onError) {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(callback, "callback");
    return new AsyncFunction(this, List.copyOf(new LinkedHashSet<>(targets)), function,
        callback, onError, config.deadline());
  }

  @Override
  public void send(ProcessId target, String function, Object... args) {
    send(List.of(target), function, args);
  }

  @Override
  public void send(Collection<ProcessId> targets, String function, Object... args) {
    Objects.requireNonNull(function, "function");
    ensureOpen();
    Object[] values = args == null ? new Object[0] : args;
    for (ProcessId target : new LinkedHashSet<>(targets)) {
      try {
        ByteBuf frame = codec.encodeCall(ByteBufAllocator.DEFAULT, Frames.SEND, 0, 0, function,
            values);
        if (!connections.forFrame(target, frame).offer(frame)) {
          frame.release();
          refusals.overloaded(1, "one-way send to '" + function + "' on " + target
              + " refused: " + outbound.used() + " bytes already wait to go out to peers "
              + "(expected: at most " + outbound.limit() + ", RpcConfig.withMaxQueuedBytes)");
        }
      } catch (RpcException e) {
        submitUser(() -> reportUncaught(e));
      }
    }
  }

  @Override
  public <T> T send(Collection<ProcessId> targets, Class<T> type) {
    Objects.requireNonNull(type, "type");
    T proxy = SendProxy.create(this, List.copyOf(new LinkedHashSet<>(targets)), type);
    registry.addSignatures(type);
    return proxy;
  }

  @Override
  public SyncFunction sync(ProcessId target, String function) {
    return layer.sync(this, Objects.requireNonNull(target, "target"),
        Objects.requireNonNull(function, "function"), config.deadline());
  }

  @Override
  public <T> T sync(ProcessId target, Class<T> type) {
    return sync(target, type, config.deadline());
  }

  @Override
  public <T> T sync(ProcessId target, Class<T> type, Duration deadline) {
    T proxy = layer.proxy(this, Objects.requireNonNull(target, "target"),
        Objects.requireNonNull(type, "type"), positive(deadline));
    registry.addSignatures(type);
    return proxy;
  }

  /**
   * Checks a deadline given by a user.
   *
   * @throws IllegalArgumentException if it is not positive
   */
  public static Duration positive(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isZero() || deadline.isNegative()) {
      throw new IllegalArgumentException("deadline : " + deadline + " (expected: > 0)");
    }
    return deadline;
  }

  @Override
  public FutureFunction future(ProcessId target, String function) {
    return layer.future(this, Objects.requireNonNull(target, "target"),
        Objects.requireNonNull(function, "function"), config.deadline());
  }

  @Override
  public void sleep(Duration duration) {
    layer.sleep(this, Objects.requireNonNull(duration, "duration"));
  }

  @Override
  public <T> T await(CompletionStage<T> stage) {
    return layer.await(this, Objects.requireNonNull(stage, "stage"));
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    ensureOpen();
    submitUser(task);
  }

  @Override
  public <T> dev.moonwire.rpc.RpcFuture<T> submit(java.util.concurrent.Callable<T> task) {
    Objects.requireNonNull(task, "task");
    ensureOpen();
    return layer.submit(this, task);
  }

  private final java.util.concurrent.atomic.AtomicReference<Spawner> spawner =
      new java.util.concurrent.atomic.AtomicReference<>();

  @Override
  public List<ProcessId> spawn(int count, Class<?> main, String... args) {
    Objects.requireNonNull(main, "main");
    ensureOpen();
    Spawner s;
    synchronized (spawner) { // one Spawner: it exports the function children announce to
      s = spawner.get();
      if (s == null) {
        s = new Spawner(this);
        spawner.set(s);
      }
    }
    return s.spawn(count, main, args == null ? new String[0] : args);
  }

  @Override
  public int pendingCalls() {
    return connections.pendingCalls();
  }

  @Override
  public ProcessStats stats() {
    List<ProcessStats.Connection> links = new ArrayList<>();
    for (ChannelConnection c : connections.all()) {
      links.add(new ProcessStats.Connection(c.peer(), c.pendingCount(), c.readingPaused(),
          c.queuedBytes()));
    }
    return new ProcessStats(id, links, pendingCalls(), scheduler().queued(),
        inbound.used(), outbound.used(), refusals.total());
  }

  @Override
  public boolean isClosed() {
    return closing.get();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    Processes.closed(this);
    Spawner s = spawner.get();
    if (s != null) {
      s.stopAll();
    }
    server.close().awaitUninterruptibly();
    List<ChannelConnection> all = connections.all();
    for (ChannelConnection c : all) {
      // not before the handshake: an inbound peer must see our HELLO first
      if (c.peer() != null) {
        c.write(Frames.goAway(c.alloc()));
      }
    }
    // Running handlers get the grace period to finish, unless close() is itself one of them;
    // connections still being dialled get what is left of it, so their queued frames go out.
    long graceEnd = System.nanoTime() + config.closeGrace().toNanos();
    if (Processes.current() != this) {
      dispatcher.awaitIdle(config.closeGrace().toNanos());
      connections.awaitSettled(graceEnd);
    }
    closed = true;
    String why = "process " + id + " closed before the call ended";
    connections.local().failAll(() -> new ProcessClosedException(why));
    // again, not the list from before the grace: handlers may have dialled peers meanwhile
    for (ChannelConnection c : connections.closeAll()) {
      c.failAll(() -> new ProcessClosedException(why));
      c.close();
    }
    scheduler.shutdown();
    if (blockedChecker != null) {
      blockedChecker.stop();
    }
  }

  private void sweepDeadlines() {
    if (closed) {
      return;
    }
    dispatcher.sweepDeadlines(connections.all());
    dispatcher.sweepDeadlines(List.of(connections.local()));
    Transport.TIMER.newTimeout(t -> sweepDeadlines(), Dispatcher.SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** How many blocked events the checker has reported (a diagnostic, for tests). */
  public long blockedEventReports() {
    return blockedChecker == null ? 0 : blockedChecker.reports();
  }

  /** The stack of the last blocked event reported, or "" (for tests). */
  public String lastBlockedEventStack() {
    return blockedChecker == null ? "" : blockedChecker.lastStack();
  }

  @Override
  public String toString() {
    return "RpcProcess[" + id + "]";
  }
}
