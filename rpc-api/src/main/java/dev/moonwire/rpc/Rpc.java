package dev.moonwire.rpc;

import dev.moonwire.rpc.spi.RpcProvider;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.ServiceLoader;

/**
 * The static facade: opens processes and makes calls on behalf of the <em>current process</em>.
 *
 * <pre>{@code
 * RpcProcess server = Rpc.open(RpcConfig.port(7001));
 * server.export("getValue", args -> currentValue);
 *
 * RemoteFunction get = Rpc.async(p, "getValue", value -> register(value));
 * get.call();
 * int v = Rpc.sync(p, "getValue").call();
 * RpcFuture<Integer> f = Rpc.future(p, "getValue").call();
 * }</pre>
 *
 * <p>The current process is the one whose event runs on this thread; outside any event, it is
 * the single open process. When no process is current and none or several are open, the
 * facade fails with an {@link IllegalStateException} that says so: call the method on an
 * {@link RpcProcess} instead. Each method here behaves as the {@link RpcProcess} method of the
 * same name.
 */
public final class Rpc {
  private Rpc() {}

  private static final class Holder {
    static final RpcProvider PROVIDER = ServiceLoader.load(RpcProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .max(Comparator.comparingInt(RpcProvider::priority))
        .orElseThrow(() -> new IllegalStateException(
            "no Moonwire runtime found: put rpc-runtime (or rpc-sync) on the class path"));
  }

  /**
   * Opens a process: binds its port and starts its event loop.
   *
   * @throws IllegalStateException if the port cannot be bound (the message says why), or if no
   *     Moonwire runtime is on the class path
   * @throws IllegalArgumentException if a registered class cannot be given a wire id
   */
  public static RpcProcess open(RpcConfig config) {
    return Holder.PROVIDER.open(config);
  }

  /**
   * The current process.
   *
   * @throws IllegalStateException if no process is current and not exactly one is open
   */
  public static RpcProcess current() {
    RpcProcess current = Holder.PROVIDER.current();
    if (current != null) {
      return current;
    }
    List<RpcProcess> open = Holder.PROVIDER.openProcesses();
    if (open.size() == 1) {
      return open.get(0);
    }
    if (open.isEmpty()) {
      throw new IllegalStateException("no process is open (expected: one, made by Rpc.open)");
    }
    throw new IllegalStateException(
        "no process is current and " + open.size() + " are open: call on an RpcProcess");
  }

  /**
   * The process that sent the request or one-way message whose exported function runs on this
   * thread: the peer as its connection's handshake (HELLO) authenticated it — with a shared
   * secret or TLS; without either, a peer's id is only what it claims (README, Security) — or
   * this process's own id for a call or send to itself. A protocol built on Moonwire should
   * take its sender from here, never from an argument the sender writes itself. Valid for the
   * whole handler, across its suspension points; callbacks, {@code execute}/{@code submit}
   * tasks and other threads have no sender.
   *
   * @throws IllegalStateException if no exported function is handling a request or message on
   *     this thread
   */
  public static ProcessId sender() {
    return Holder.PROVIDER.sender();
  }

  /**
   * The process that started this JVM with {@link RpcProcess#spawn}, or empty if this JVM was
   * not spawned: ALua's parent, to which a spawned program reports. Read from the system
   * property {@code moonwire.spawn.parent}; callable from any thread.
   *
   * @throws IllegalArgumentException if that property is set but is not a process id
   */
  public static Optional<ProcessId> parent() {
    String parent = System.getProperty("moonwire.spawn.parent");
    return parent == null ? Optional.empty()
        : Optional.of(ProcessId.parse(parent));
  }

  /** See {@link RpcProcess#async(ProcessId, String, Callback)}. */
  public static <T> RemoteFunction async(ProcessId target, String function, Callback<T> callback) {
    return current().async(target, function, callback);
  }

  /** See {@link RpcProcess#async(ProcessId, String, Callback, ErrorCallback)}. */
  public static <T> RemoteFunction async(ProcessId target, String function, Callback<T> callback,
      ErrorCallback onError) {
    return current().async(target, function, callback, onError);
  }

  /** See {@link RpcProcess#async(Collection, String, Callback)}. */
  public static <T> RemoteFunction async(Collection<ProcessId> targets, String function,
      Callback<T> callback) {
    return current().async(targets, function, callback);
  }

  /** See {@link RpcProcess#async(Collection, String, Callback, ErrorCallback)}. */
  public static <T> RemoteFunction async(Collection<ProcessId> targets, String function,
      Callback<T> callback, ErrorCallback onError) {
    return current().async(targets, function, callback, onError);
  }

  /** See {@link RpcProcess#send(ProcessId, String, Object...)}. */
  public static void send(ProcessId target, String function, Object... args) {
    current().send(target, function, args);
  }

  /** See {@link RpcProcess#send(Collection, String, Object...)}. */
  public static void send(Collection<ProcessId> targets, String function, Object... args) {
    current().send(targets, function, args);
  }

  /** {@link RpcProcess#spawn} on the current process. */
  public static java.util.List<ProcessId> spawn(int count, Class<?> main, String... args) {
    return current().spawn(count, main, args);
  }

  /** {@link RpcProcess#send(Collection, Class)} on the current process. */
  public static <T> T send(Collection<ProcessId> targets, Class<T> type) {
    return current().send(targets, type);
  }

  /** See {@link RpcProcess#sync(ProcessId, String)}. */
  public static SyncFunction sync(ProcessId target, String function) {
    return current().sync(target, function);
  }

  /** See {@link RpcProcess#sync(ProcessId, Class)}. */
  public static <T> T sync(ProcessId target, Class<T> type) {
    return current().sync(target, type);
  }

  /** See {@link RpcProcess#sync(ProcessId, Class, Duration)}. */
  public static <T> T sync(ProcessId target, Class<T> type, Duration deadline) {
    return current().sync(target, type, deadline);
  }

  /** See {@link RpcProcess#future(ProcessId, String)}. */
  public static FutureFunction future(ProcessId target, String function) {
    return current().future(target, function);
  }

  /**
   * See {@link RpcProcess#await(CompletionStage)}. Outside any process (and with none open) it
   * just blocks the thread, with the same exceptions.
   */
  public static <T> T await(CompletionStage<T> stage) {
    Objects.requireNonNull(stage, "stage");
    RpcProcess current = Holder.PROVIDER.current();
    if (current == null && Holder.PROVIDER.openProcesses().size() == 1) {
      current = Holder.PROVIDER.openProcesses().get(0);
    }
    if (current != null) {
      return current.await(stage);
    }
    try {
      return stage.toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RpcException rpc) {
        throw rpc;
      }
      throw new CompletionException(e.getCause());
    } catch (java.util.concurrent.CancellationException e) {
      throw new CancelledException("the awaited stage was cancelled", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("interrupted while waiting", e);
    }
  }

  static RpcProvider provider() {
    return Holder.PROVIDER;
  }

  /**
   * See {@link RpcProcess#sleep(Duration)}. Outside any process (and with none open) it just
   * sleeps the thread.
   */
  public static void sleep(Duration duration) {
    RpcProcess current = Holder.PROVIDER.current();
    if (current != null) {
      current.sleep(duration);
      return;
    }
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("sleep interrupted", e);
    }
  }
}
