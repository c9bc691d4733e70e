package dev.moonwire.rpc;

/**
 * DALua's directory dropped this process from its groups — it was taken for gone, cut off or
 * paused for longer than the failure detector's bound — and the membership (epoch) it acted in
 * has ended. Its groups, mutexes and multicasts were left: it enters no mutex and delivers
 * nothing with the state of the ended view. It takes part again by joining its groups anew
 * ({@code apps().join}, which gives it a new epoch) and making its mutexes again. Thrown by the
 * process's next DALua operation after it learned it was dropped, on the thread that called it.
 */
public final class FencedException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what ended and what to do. */
  public FencedException(String message) {
    super(Kind.FENCED, message, null);
  }
}
