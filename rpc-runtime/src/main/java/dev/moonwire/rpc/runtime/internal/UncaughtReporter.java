package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.runtime.internal.transport.Loggers;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a process reports what user code threw and failures nobody else will see: the
 * configured uncaught-error handler, or a WARN on {@code dev.moonwire.rpc.Process}. A handler
 * that throws is logged; the process goes on.
 */
final class UncaughtReporter {
  private static final Logger log = LoggerFactory.getLogger(Loggers.PROCESS);

  private final Consumer<Throwable> handler; // null: log
  private volatile ProcessId id;

  UncaughtReporter(RpcConfig config) {
    this.handler = config.uncaughtErrorHandler();
  }

  /** The process's id, once bound, for the log lines. */
  void self(ProcessId id) {
    this.id = id;
  }

  /** Reports {@code t}; {@code where} (say, which peer's send it was) goes into the log line. */
  void report(Throwable t, String where) {
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
}
