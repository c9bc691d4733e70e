package dev.moonwire.csp.internal;

import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;

/** Where the branches of a Par or Fork run, and where a failure nobody joins is reported. */
public interface Launcher {
  /** Starts {@code branch}. */
  void start(Runnable branch);

  /** Reports a failure that nobody joins; called on the failed branch's thread. */
  void report(Throwable failure);

  /**
   * Branches as events of the current process (the {@code Rpc} facade's rule).
   *
   * @throws IllegalStateException if there is none, pointing to {@code Csp.threads()}
   */
  static Launcher events(String what) {
    RpcProcess process;
    try {
      process = Rpc.current();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(what + " runs its branches as events of the current"
          + " process, and " + e.getMessage() + " (expected: call it in an event or with one"
          + " process open; for plain virtual threads use Csp.threads()." + what.substring(4)
          + ")", e);
    }
    return new Launcher() {
      @Override
      public void start(Runnable branch) {
        process.execute(branch);
      }

      @Override
      public void report(Throwable failure) {
        try {
          process.execute(() -> Launcher.<RuntimeException>rethrow(failure));
        } catch (ProcessClosedException closing) {
          // the process is going away; nobody is left to tell
        }
      }
    };
  }

  /** Branches on plain virtual threads, one each. */
  Launcher THREADS = new Launcher() {
    @Override
    public void start(Runnable branch) {
      Thread.ofVirtual().name("csp-branch").start(branch);
    }

    @Override
    public void report(Throwable failure) {
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, failure);
    }
  };

  /** Throws {@code t} as it is, checked or not: the uncaught-error handler gets the original. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void rethrow(Throwable t) throws E {
    throw (E) t;
  }
}
