package dev.moonwire.rpc;

import java.util.concurrent.CompletionStage;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * A process: one listening port, a table of exported functions, and an event loop that runs the
 * process's events — incoming requests, replies, callbacks — one at a time. Code that runs as an
 * event of a process (a handler, a callback, a task given to {@link #execute}) may use the
 * process's state without locks.
 *
 * <p>Made by {@link Rpc#open(RpcConfig)}. Every method may be called from any thread. Calls made
 * from a thread outside any process act for this process: their callbacks still run on it.
 *
 * <p><b>Closing.</b> {@link #close()} stops accepting, tells peers with {@code GOAWAY}, lets
 * running handlers finish within the configured grace period, then fails every call still
 * pending with {@link ProcessClosedException}. Calls made after close fail the same way.
 */
public interface RpcProcess extends AutoCloseable {

  /** The address other processes call this one at. */
  ProcessId id();

  /**
   * Makes {@code handler} callable by other processes as {@code name}, replacing any function of
   * that name.
   *
   * @return this process, for chaining
   * @throws ProcessClosedException if this process has closed: nothing was exported
   */
  RpcProcess export(String name, Handler handler);

  /**
   * Exports each public method of {@code type} as a function named like the method. Overloads
   * are told apart by their number of parameters; two overloads with the same number fail here.
   * Arguments are checked against the parameter types: a mismatch fails the call with
   * {@link BadArgumentsException} naming the position.
   *
   * @throws IllegalArgumentException if {@code type} is not an interface or has ambiguous
   *     overloads
   * @throws ProcessClosedException if this process has closed: nothing was exported
   */
  <T> RpcProcess export(Class<T> type, T implementation);

  /**
   * Like {@link #export(Class, Object)}, with names {@code prefix + "." + method}.
   *
   * @throws ProcessClosedException if this process has closed
   */
  <T> RpcProcess export(String prefix, Class<T> type, T implementation);

  /** Removes a function; later calls to it fail with {@link NoSuchFunctionException}. */
  boolean unexport(String name);

  /**
   * An asynchronous remote function: calling it sends a request to {@code target}; the reply
   * runs {@code callback} on this process. Failures go to this process's uncaught-error handler.
   * A call to this process's own id goes through its event queue, not the network.
   */
  default <T> RemoteFunction async(ProcessId target, String function, Callback<T> callback) {
    return async(java.util.List.of(target), function, callback);
  }

  /** Like {@link #async(ProcessId, String, Callback)}, with failures going to {@code onError}. */
  default <T> RemoteFunction async(ProcessId target, String function, Callback<T> callback,
      ErrorCallback onError) {
    return async(java.util.List.of(target), function, callback,
        java.util.Objects.requireNonNull(onError, "onError"));
  }

  /**
   * A remote function that calls all of {@code targets} (duplicates removed) and runs
   * {@code callback} once per reply, in the order the replies arrive. Failures go to the
   * uncaught-error handler, once per failed target.
   */
  default <T> RemoteFunction async(Collection<ProcessId> targets, String function,
      Callback<T> callback) {
    return async(targets, function, callback, null);
  }

  /** Like {@link #async(Collection, String, Callback)}, with failures going to {@code onError}. */
  <T> RemoteFunction async(Collection<ProcessId> targets, String function, Callback<T> callback,
      ErrorCallback onError);

  /**
   * One-way message (ALua's {@code send}): runs {@code function} on {@code target} with no
   * reply. Delivery is not confirmed, but a send is never lost silently: one that cannot be
   * made (serialization, closed process), that the peer or this process's outbound limit
   * refuses ({@link OverloadedException}), or that never left because the connection failed
   * ({@link PeerUnavailableException}) is reported to this process's uncaught-error handler, as
   * an event of this process. Reports of many failed sends are gathered into a few.
   */
  default void send(ProcessId target, String function, Object... args) {
    send(java.util.List.of(target), function, args);
  }

  /** {@link #send(ProcessId, String, Object...)} to each of {@code targets}, once each. */
  void send(Collection<ProcessId> targets, String function, Object... args);

  /**
   * A proxy whose {@code void} methods are one-way sends of the function of the same name to
   * each of {@code targets} (duplicates removed), as {@link #send(Collection, String,
   * Object...)} makes them: the typed form of DALua's {@code send(procs, "mutex.request", req)}.
   * Methods return at once on the calling thread; failures go to the uncaught-error handler.
   * Default methods run locally; a method that returns a value throws
   * {@link UnsupportedOperationException} (a send has no reply). The records and enums of the
   * interface's signatures are registered for the wire.
   *
   * @throws IllegalArgumentException if {@code type} is not an interface
   */
  <T> T send(Collection<ProcessId> targets, Class<T> type);

  /**
   * Like {@link #send(Collection, Class)}, to the functions named {@code prefix + "." +
   * method}: the sending side of {@link #export(String, Class, Object)}, so that a protocol's
   * functions need no names of their own in the process's flat namespace.
   *
   * @throws IllegalArgumentException if {@code type} is not an interface
   */
  <T> T send(Collection<ProcessId> targets, String prefix, Class<T> type);

  /**
   * A synchronous remote function. Needs the synchronous layer ({@code rpc-sync}) on the class
   * path.
   *
   * @throws IllegalStateException if {@code rpc-sync} is not present
   */
  SyncFunction sync(ProcessId target, String function);

  /**
   * A proxy whose methods call the function of the same name on {@code target} (see
   * {@link #export(Class, Object)}). A method that returns {@code CompletionStage<T>},
   * {@code CompletableFuture<T>} or {@link RpcFuture RpcFuture<T>} is asynchronous: it sends
   * the call and returns its future at once. Any other method is synchronous: inside an event
   * it suspends (the process serves other events meanwhile), elsewhere it blocks, and it throws
   * the call's {@link RpcException} — or, if the remote implementation threw an exception of a
   * class the method declares in its {@code throws} clause, a new exception of that class, with
   * the remote message and the remote failure as its cause (no other class is ever made from
   * what a peer sends). Arguments are checked against the parameter types before anything is
   * sent ({@link BadArgumentsException}). {@code toString}, {@code equals}, {@code hashCode}
   * and default methods run locally. The records and enums of the interface's signatures are
   * registered for the wire. Needs the synchronous layer ({@code rpc-sync}).
   *
   * @throws IllegalArgumentException if {@code type} is not an interface
   * @throws IllegalStateException if {@code rpc-sync} is not present
   */
  <T> T sync(ProcessId target, Class<T> type);

  /** Like {@link #sync(ProcessId, Class)}, with {@code deadline} for each method call. */
  <T> T sync(ProcessId target, Class<T> type, Duration deadline);

  /** A remote function whose calls return {@link RpcFuture}s. */
  FutureFunction future(ProcessId target, String function);

  /**
   * Waits for {@code duration}. Inside an event of a process it suspends, and the process serves
   * other events meanwhile; elsewhere it blocks the thread.
   */
  void sleep(Duration duration);

  /**
   * Waits for {@code stage} and returns its value: wait-by-necessity for any
   * {@link CompletionStage}, e.g. {@code await(CompletableFuture.allOf(f1, f2))}. Inside an event
   * of this process it is a suspension point: the process serves other events meanwhile, as in a
   * sync call (a plain {@code join()} there would hold the process until the stage completes —
   * for ever, if an event of this process must complete it). Elsewhere it blocks the thread.
   *
   * @throws RpcException the stage's failure, if it is one (unwrapped)
   * @throws java.util.concurrent.CompletionException the stage's other failures, as
   *     {@code join()} throws them
   * @throws CancelledException if the request waiting here is cancelled or its deadline passes,
   *     or a thread blocked here outside any event is interrupted (its interrupt status kept);
   *     the stage is left as it is
   */
  <T> T await(CompletionStage<T> stage);

  /**
   * Runs {@code task} as an event of this process, after the events already queued. What it
   * throws goes to the uncaught-error handler.
   *
   * @throws ProcessClosedException if the process is closed
   */
  void execute(Runnable task);

  /**
   * Runs {@code task} as an event of this process, after the events already queued, and returns
   * its future at once: the way to drive a process from {@code main} or a test. The future
   * completes with what the task returns, or exceptionally with what it throws; its dependent
   * actions run on this process. Needs the synchronous layer ({@code rpc-sync}).
   *
   * @throws ProcessClosedException if the process is closed
   * @throws IllegalStateException if {@code rpc-sync} is not present
   */
  <T> RpcFuture<T> submit(java.util.concurrent.Callable<T> task);

  /**
   * Starts {@code count} JVMs running {@code main} with {@code args} — ALua's {@code spawn} —
   * on this JVM's class path, and returns the ids of the processes they open, in order. Returns
   * once each child has opened a process and has exported nothing more for 50 ms (so that the
   * functions it exports right after opening are there when the ids are). Inside an event it
   * suspends (the process serves other events meanwhile; needs {@code rpc-sync}); elsewhere it
   * blocks. Children run with the system properties {@code moonwire.spawn.index} (0, 1, ...)
   * and {@code moonwire.spawn.parent} (this process's id, which {@link Rpc#parent()} gives
   * them); their output goes to this JVM's
   * standard output. They are stopped when this process closes, and stop themselves when this
   * JVM is gone (even killed).
   *
   * @throws SpawnFailedException if a child exits or has not opened a process within the
   *     process's deadline ({@link RpcConfig#withDeadline}); it names the child, its exit code
   *     and its last lines of output, and the other children are stopped
   * @throws IllegalArgumentException if {@code count} < 1 or {@code main} has no
   *     {@code public static void main(String[])}
   */
  List<ProcessId> spawn(int count, Class<?> main, String... args);

  /** How many calls this process has sent that have not ended yet (a diagnostic). */
  int pendingCalls();

  /**
   * A snapshot of this process for diagnostics: its connections and their peers, pending
   * calls, queued events, the bytes it holds. Cheap; callable from any thread, open or closed.
   */
  ProcessStats stats();

  /** True once {@link #close()} has begun. */
  boolean isClosed();

  /** Closes gracefully, as the class documentation says. A second call is harmless. */
  @Override
  void close();
}
