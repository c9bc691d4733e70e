package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.dispatch.Host;
import dev.moonwire.rpc.runtime.internal.transport.Observed;
import dev.moonwire.rpc.runtime.internal.call.Calls;
import dev.moonwire.rpc.runtime.internal.call.PendingCall;
import dev.moonwire.rpc.runtime.internal.call.ReplySink;
import dev.moonwire.rpc.runtime.internal.dispatch.Dispatcher;
import dev.moonwire.rpc.runtime.internal.transport.Budget;
import dev.moonwire.rpc.runtime.internal.transport.CallListener;
import dev.moonwire.rpc.runtime.internal.transport.ReplyListener;
import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.runtime.internal.transport.Connections;
import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;
import dev.moonwire.rpc.runtime.internal.transport.InboundShares;
import dev.moonwire.rpc.runtime.internal.transport.PeerLog;
import dev.moonwire.rpc.runtime.internal.transport.Refusals;
import dev.moonwire.rpc.runtime.internal.transport.Transport;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.WireCodec;
import dev.moonwire.rpc.runtime.internal.wire.WireKryo;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import dev.moonwire.rpc.Callback;
import dev.moonwire.rpc.ErrorCallback;
import dev.moonwire.rpc.FutureFunction;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.ProcessStats;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SyncFunction;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's process: a listening channel, connections to peers, the call primitive
 * ({@link #call}) that every call style is built on, and the event scheduler that runs the
 * process's events one at a time.
 */
public final class RuntimeProcess implements RpcProcess, Host {

  private final RpcConfig config;
  private final byte[] secret;
  /** The observer of calls and connections, or null: every hook checks, nothing else runs. */
  private final RpcObserver observer;
  private final SyncLayer layer;
  private final WireRegistry registry;
  private final WireCodec codec;
  private final Dispatcher dispatcher = new Dispatcher(this);
  private final Lifecycle lifecycle;
  private final ProcessId id;
  /** This run of the process, told in every HELLO: a restart at the same id is a new process. */
  private final long incarnation = Frames.incarnation();
  private final EventScheduler scheduler;
  private final BlockedEventChecker blockedChecker; // null when off
  private final PeerLog peerLog = new PeerLog(this);
  private final Budget inbound;
  private final InboundShares shares;
  private final Budget outbound;
  private final Refusals refusals = new Refusals(this);
  private final UncaughtReporter uncaught;
  /**
   * The I/O thread of all this process's connections: one thread sees all of a process's
   * traffic, and the synchronous layer can carry the process's virtual threads on it.
   */
  private final EventLoop home = Transport.GROUP.next();
  private final Connections connections;
  private final Calls calls;
  /** Test faults between the transport and the listeners: nothing in normal use. */
  private final FaultInjection faults;

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
    this.uncaught = new UncaughtReporter(config);
    this.registry = new WireRegistry(config.registeredClasses(), WireKryo.BUILT_IN);
    this.codec = new WireCodec(() -> Processes.current() == this, registry,
        config.maxFrameBytes());
    this.inbound = new Budget(config.maxQueuedBytes());
    this.shares = new InboundShares(inbound);
    this.outbound = new Budget(config.maxQueuedBytes());
    this.connections = new Connections(this, home);
    registry.listen(added -> connections.all().forEach(c -> c.schemaGrew(added)));
    this.lifecycle = new Lifecycle(this, config, connections, dispatcher);
    this.calls = new Calls(this, codec, connections, observer, lifecycle::isClosed,
        Dispatcher::inheritedDeadlineNanos);
    this.faults = new FaultInjection(home, Faults.fromProperty(), dispatcher, calls);
    Channel server = lifecycle.bind(home);
    this.id = ProcessId.of(config.advertisedHost(),
        ((InetSocketAddress) server.localAddress()).getPort());
    codec.self(id);
    uncaught.self(id);
    this.scheduler = layer.newScheduler(this);
    this.blockedChecker =
        BlockedEventChecker.start(this, scheduler.clock(), config.blockedEventThreshold());
    Processes.opened(this);
    if (observer != null) {
      Observed.opened(observer, this); // whole, and no peer in yet
    }
    SpawnedChild.opened(this);
    lifecycle.accept();
  }

  @Override
  public RpcConfig config() {
    return config;
  }

  @Override
  public Executor homeLoop() {
    return home;
  }

  @Override
  public byte[] secret() {
    return secret;
  }

  @Override
  public Budget inbound() {
    return inbound;
  }

  @Override
  public InboundShares shares() {
    return shares;
  }

  @Override
  public Budget outbound() {
    return outbound;
  }

  @Override
  public Refusals refusals() {
    return refusals;
  }

  /** One-way sends of this process reported failed so far (for tests). */
  public long failedSends() {
    return refusals.total();
  }

  @Override
  public PeerLog peerLog() {
    return peerLog;
  }

  @Override
  public WireCodec codec() {
    return codec;
  }

  @Override
  public WireRegistry registry() {
    return registry;
  }

  @Override
  public EventScheduler scheduler() {
    return scheduler;
  }

  @Override
  public boolean isClosing() {
    return lifecycle.isClosing();
  }

  /** The call primitive every call style is built on: see {@link Calls#call}. */
  public PendingCall call(ProcessId target, String function, Object[] args, Duration deadline,
      ReplySink sink) {
    return calls.call(target, function, args, deadline, sink);
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

  @Override
  public void reportUncaught(Throwable t) {
    uncaught.report(t, null);
  }

  @Override
  public void reportUncaught(Throwable t, String where) {
    uncaught.report(t, where);
  }

  @Override
  public boolean threadPerEvent() {
    return layer.threadPerEvent();
  }

  /**
   * For tests: shows every message this process receives from another process to
   * {@code hook} first (see {@link FaultHook}); null removes it. Takes effect for messages
   * read from now on.
   */
  public void injectFaults(FaultHook hook) {
    faults.install(hook);
  }

  /** For tests: closes every network connection, as a network cut would; calls dial again. */
  public void cutConnections() {
    connections.all().forEach(ChannelConnection::close);
  }

  @Override
  public CallListener calls() {
    return faults.calls();
  }

  @Override
  public ReplyListener replies() {
    return faults.replies();
  }

  @Override
  public void connectionClosed(ChannelConnection conn) {
    connections.closed(conn);
  }

  @Override
  public void connectionOpened(ChannelConnection conn) {
    connections.opened(conn);
  }

  @Override
  public RpcObserver observer() {
    return observer;
  }

  private void ensureOpen() {
    lifecycle.ensureOpen(id);
  }

  @Override
  public ProcessId id() {
    return id;
  }

  @Override
  public long incarnation() {
    return incarnation;
  }

  @Override
  public RpcProcess export(String name, Handler handler) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handler, "handler");
    ensureOpen();
    dispatcher.export(name, handler);
    SpawnedChild.exported(this);
    return this;
  }

  @Override
  public <T> RpcProcess export(Class<T> type, T implementation) {
    return exportTyped(null, type, implementation);
  }

  @Override
  public <T> RpcProcess export(String prefix, Class<T> type, T implementation) {
    return exportTyped(Objects.requireNonNull(prefix, "prefix"), type, implementation);
  }

  private <T> RpcProcess exportTyped(String prefix, Class<T> type, T implementation) {
    ensureOpen(); // prefix null: the methods' own names
    dispatcher.export(prefix, type, implementation);
    SpawnedChild.exported(this);
    return this;
  }

  @Override
  public boolean unexport(String name) {
    return dispatcher.unexport(name);
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
  public void send(Collection<ProcessId> targets, String function, Object... args) {
    calls.send(targets, function, args);
  }

  @Override
  public <T> T send(Collection<ProcessId> targets, Class<T> type) {
    return sendProxy(targets, "", type);
  }

  @Override
  public <T> T send(Collection<ProcessId> targets, String prefix, Class<T> type) {
    return sendProxy(targets, Objects.requireNonNull(prefix, "prefix") + ".", type);
  }

  private <T> T sendProxy(Collection<ProcessId> targets, String prefix, Class<T> type) {
    T proxy = SendProxy.create(this, List.copyOf(new LinkedHashSet<>(targets)), prefix,
        Objects.requireNonNull(type, "type"));
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
        Objects.requireNonNull(type, "type"), Deadlines.positive(deadline));
    registry.addSignatures(type);
    return proxy;
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

  @Override
  public List<ProcessId> spawn(int count, Class<?> main, String... args) {
    Objects.requireNonNull(main, "main");
    ensureOpen();
    return lifecycle.spawner().spawn(count, main, args == null ? new String[0] : args);
  }

  @Override
  public int pendingCalls() {
    return connections.pendingCalls();
  }

  @Override
  public ProcessStats stats() {
    return new ProcessStats(id, connections.stats(), pendingCalls(), scheduler().queued(),
        inbound.used(), outbound.used(), refusals.total());
  }

  @Override
  public boolean isClosed() {
    return lifecycle.isClosing();
  }

  @Override
  public void close() {
    lifecycle.close(scheduler, blockedChecker);
  }

  /** What tests and diagnostics read beyond {@link #stats()}. */
  public Diagnostics diagnostics() {
    return new Diagnostics(connections, blockedChecker);
  }

  @Override
  public String toString() {
    return "RpcProcess[" + id + "]";
  }
}
