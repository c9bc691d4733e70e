package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an {@link RpcObserver} so that one that throws costs a log line, never a call: callers
 * check for a null observer first, so a process without one pays a field read.
 */
public final class Observed {
  private static final Logger log = LoggerFactory.getLogger(Loggers.PROCESS);

  private Observed() {}

  private static void threw(RpcObserver o, String what, Throwable t) {
    log.warn("observer {} threw in {}; ignored", o.getClass().getName(), what, t);
  }

  public static void opened(RpcObserver o, RpcProcess process) {
    try {
      o.opened(process);
    } catch (Throwable t) {
      threw(o, "opened", t);
    }
  }

  /** The observer's handle on a call starting, or null (also if the observer threw). */
  public static RpcObserver.Call clientCall(RpcObserver o, ProcessId peer, String function,
      CallHeaders headers) {
    try {
      return o.clientCall(peer, function, headers);
    } catch (Throwable t) {
      threw(o, "clientCall", t);
      return null;
    }
  }

  /** The observer's handle on a request starting, or null (also if the observer threw). */
  public static RpcObserver.Call serverCall(RpcObserver o, ProcessId peer, String function,
      CallHeaders headers) {
    try {
      return o.serverCall(peer, function, headers);
    } catch (Throwable t) {
      threw(o, "serverCall", t);
      return null;
    }
  }

  /** Tells {@code call} (null for none) that its call ended. */
  public static void ended(RpcObserver.Call call, RpcException.Kind outcome, long nanos,
      long bytesOut, long bytesIn) {
    if (call == null) {
      return;
    }
    try {
      call.ended(outcome, nanos, bytesOut, bytesIn);
    } catch (Throwable t) {
      log.warn("observer's call {} threw in ended; ignored", call.getClass().getName(), t);
    }
  }

  public static void connection(RpcObserver o, ProcessId peer, boolean opened) {
    try {
      if (opened) {
        o.connectionOpened(peer);
      } else {
        o.connectionClosed(peer);
      }
    } catch (Throwable t) {
      threw(o, opened ? "connectionOpened" : "connectionClosed", t);
    }
  }
}
