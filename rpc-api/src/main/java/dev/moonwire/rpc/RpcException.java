package dev.moonwire.rpc;

import java.util.Objects;

/**
 * The one error model of Moonwire: every failure a caller can see is an {@code RpcException}
 * with a {@link Kind}, a message that says what was expected, and the cause when there is one.
 *
 * <p>Synchronous calls throw it, futures complete exceptionally with it, and asynchronous
 * calls hand it to their error callback (or to the process's uncaught-error handler when the
 * call has none). Each kind has its own subclass, so callers may catch either the subclass or
 * this type and switch on {@link #kind()}.
 */
public abstract sealed class RpcException extends RuntimeException
    permits BadArgumentsException, CancelledException, DeadlineExceededException,
        NoSuchFunctionException, OverloadedException, PeerUnavailableException,
        ProcessClosedException,
        ProtocolException, RemoteInvocationException, SerializationException,
        SpawnFailedException, GroupException, FencedException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, as a value a caller can switch on. */
  public enum Kind {
    /** The remote handler threw; see {@link RemoteInvocationException}. */
    REMOTE_INVOCATION,
    /** The callee exports no function of that name. */
    NO_SUCH_FUNCTION,
    /** The arguments did not fit the function: wrong count or wrong type. */
    BAD_ARGUMENTS,
    /** The call's deadline passed before a reply arrived. */
    DEADLINE_EXCEEDED,
    /** The call was cancelled by its caller. */
    CANCELLED,
    /** The peer could not be reached, or the connection to it was lost. */
    PEER_UNAVAILABLE,
    /** An argument or result could not be serialized, or the frame was too large. */
    SERIALIZATION,
    /** The caller's own process is closing or closed. */
    PROCESS_CLOSED,
    /** The peer broke the wire protocol. */
    PROTOCOL,
    /**
     * The callee, or the caller's own queue toward it, is at its limit in calls or bytes; the
     * call did not run. Trying again later may succeed.
     */
    OVERLOADED,
    /** A child JVM started by {@code spawn} did not open its process. */
    SPAWN_FAILED,
    /** A group (DALua's app) exists already, or does not exist; nothing changed. */
    GROUP,
    /** DALua's directory dropped this process; it must join its groups anew. */
    FENCED
  }

  private final Kind kind;

  RpcException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** The kind of failure; never null. */
  public Kind kind() {
    return kind;
  }
}
