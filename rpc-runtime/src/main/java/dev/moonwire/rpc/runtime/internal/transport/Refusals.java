package dev.moonwire.rpc.runtime.internal.transport;


import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.RpcException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One-way sends that failed — refused by a full peer or by this process's own outbound limit,
 * or never sent because the connection failed — reported to the process's uncaught-error
 * handler. A flood of sends may fail by the million; they are gathered, so at most one report of
 * each kind waits in the process's queue, saying how many sends it covers.
 */
public final class Refusals {
  private final Endpoint process;
  private final Gathered overloaded = new Gathered(OverloadedException::new);
  private final Gathered unavailable = new Gathered(PeerUnavailableException::new);
  private final Gathered unknown = new Gathered(NoSuchFunctionException::new);
  private final AtomicLong total = new AtomicLong();

  public Refusals(Endpoint process) {
    this.process = process;
  }

  /** {@code sends} one-way sends were refused: the peer or this process is full. */
  public void overloaded(long sends, String message) {
    overloaded.add(sends, message);
  }

  /** {@code sends} one-way sends named a function their receiver does not export. */
  public void noSuchFunction(long sends, String message) {
    unknown.add(sends, message);
  }

  /** {@code sends} one-way sends were never sent: the connection failed. */
  public void notSent(long sends, String message) {
    unavailable.add(sends, message);
  }

  /** Sends reported failed so far (for tests: with those delivered, they make up all sent). */
  public long total() {
    return total.get();
  }

  private final class Gathered {
    private final Function<String, RpcException> kind;
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong reports = new AtomicLong();
    private volatile String last;
    private final AtomicBoolean queued = new AtomicBoolean();

    Gathered(Function<String, RpcException> kind) {
      this.kind = kind;
    }

    void add(long n, String message) {
      last = message;
      sends.addAndGet(n);
      reports.incrementAndGet();
      total.addAndGet(n);
      if (queued.compareAndSet(false, true)) {
        process.submitUser(this::report);
      }
    }

    private void report() {
      queued.set(false);
      long n = sends.getAndSet(0);
      long r = reports.getAndSet(0);
      if (n == 0) {
        return;
      }
      String message = r == 1 ? last : n + " one-way sends failed in all; the last report: "
          + last;
      throw kind.apply(message); // submitUser hands it to the uncaught-error handler
    }
  }
}
