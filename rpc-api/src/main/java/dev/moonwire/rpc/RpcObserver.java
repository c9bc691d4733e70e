package dev.moonwire.rpc;

/**
 * Watches a process's calls and connections, for metrics, tracing or logs: installed with
 * {@link RpcConfig#withObserver}. A process without one pays nothing for it.
 *
 * <p>Every method has an empty default, so an observer overrides what it needs. They are
 * called on Moonwire's I/O threads and on the process's event threads, concurrently: they must
 * be quick, thread-safe and must not block. One that throws is logged and ignored; the call
 * goes on. One-way sends are not calls: they are not observed here.
 *
 * <p>Sizes are of whole frames on the wire (length, header, encoded arguments or value), the
 * same on both sides for a request and a value. At the caller, an error reply counts 0, and so
 * does a call that was not sent; the callee counts the error frame it sent.
 */
public interface RpcObserver {
  /** The process opened with this observer; from here its calls are observed. */
  default void opened(RpcProcess process) {}

  /**
   * A call of this process to {@code peer} is being sent (on the calling thread). A call
   * refused before that — arguments that cannot be encoded, {@code maxInFlight} reached, a
   * deadline already passed — is not observed; one the outbound queue refuses ends at once
   * as {@code OVERLOADED}.
   */
  default void clientCallStarted(ProcessId peer, String function) {}

  /**
   * A call of this process ended, exactly once, however it ended.
   *
   * @param outcome null if it returned a value; its failure's kind otherwise
   * @param nanos from when it was sent to when it ended
   */
  default void clientCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
      long nanos, long bytesSent, long bytesReceived) {}

  /**
   * A request of {@code peer} has its turn here, as an event of this process (one cancelled
   * while it waited ends at once as {@code CANCELLED}). Requests refused on arrival (too many
   * in flight, the process full or closing) are not observed.
   */
  default void serverCallStarted(ProcessId peer, String function) {}

  /**
   * A request ended here and its reply, if any, went out.
   *
   * @param outcome null if the handler returned a value; the kind of the error sent back
   *     otherwise ({@code CANCELLED} if it was cancelled and nothing was sent)
   * @param nanos from when its handler started to when it ended
   */
  default void serverCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
      long nanos, long bytesReceived, long bytesSent) {}

  /** A connection with {@code peer} is ready (its handshake done), either direction. */
  default void connectionOpened(ProcessId peer) {}

  /** A connection with {@code peer} that was ready is gone. */
  default void connectionClosed(ProcessId peer) {}
}
