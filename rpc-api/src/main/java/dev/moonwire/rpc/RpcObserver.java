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
 * same on both sides for a request and a value (except that a caller counts the headers of a
 * request an older peer gets without them). At the caller, an error reply counts 0, and so
 * does a call that was not sent; the callee counts the error frame it sent.
 */
public interface RpcObserver {
  /**
   * One observer made of several — metrics and tracing, say — for {@link
   * RpcConfig#withObserver}. Each is told everything, in the order given; the ends of a call
   * in the reverse order, so contexts they make current close in the reverse of the order they
   * were opened. One that throws is logged ({@code System.Logger} "dev.moonwire.rpc.Process")
   * and ignored; the others are still told.
   */
  static RpcObserver all(RpcObserver... observers) {
    return new AllObservers(observers.clone());
  }

  /** The process opened with this observer; from here its calls are observed. */
  default void opened(RpcProcess process) {}

  /**
   * A call of this process to {@code peer} starts, on the calling thread, before its arguments
   * are encoded: what the observer puts in {@code headers} goes to the callee with it.
   *
   * <p>The call ends exactly once, however it ends — with a value, a failure, or refused before
   * it was sent (arguments that cannot be encoded, {@code maxInFlight} reached, the outbound
   * queue full, the peer backing off) — and the {@link Call} returned here is told, on
   * whichever thread ends it (an I/O thread, a timer, the caller). A call on a closed process,
   * or past its inherited deadline, is refused before it starts and is not observed.
   *
   * @return what is told of this call's end, or null for nothing
   */
  default Call clientCall(ProcessId peer, String function, CallHeaders headers) {
    return null;
  }

  /**
   * A request of {@code peer} has its turn here, as an event of this process, on the thread
   * that runs its handler; {@code headers} are the caller's ({@link CallHeaders#empty()} if it
   * sent none). Its {@link Call} is told of its end on that same thread, after the handler and
   * before the next event that thread runs: an observer may make a context current here and
   * close it there. A request cancelled while it waited starts and ends at once as
   * {@code CANCELLED}. Requests refused on arrival (too many in flight, the process full or
   * closing) are not observed.
   *
   * @return what is told of this request's end, or null for nothing
   */
  default Call serverCall(ProcessId peer, String function, CallHeaders headers) {
    return null;
  }

  /** One call or request under observation. */
  interface Call {
    /**
     * The call or request ended, exactly once.
     *
     * @param outcome null if it returned a value; its failure's kind otherwise (at the callee,
     *     the kind of the error sent back, or {@code CANCELLED} if it was cancelled and nothing
     *     was sent)
     * @param nanos at the caller, from its start to its end; at the callee, from when its
     *     handler started to when it ended
     * @param bytesOut frame bytes this side sent for it: the request at the caller (0 if it was
     *     not sent), the reply at the callee
     * @param bytesIn frame bytes this side received for it: the reply at the caller (0 for an
     *     error), the request at the callee
     */
    void ended(RpcException.Kind outcome, long nanos, long bytesOut, long bytesIn);
  }

  /** A connection with {@code peer} is ready (its handshake done), either direction. */
  default void connectionOpened(ProcessId peer) {}

  /** A connection with {@code peer} that was ready is gone. */
  default void connectionClosed(ProcessId peer) {}
}
