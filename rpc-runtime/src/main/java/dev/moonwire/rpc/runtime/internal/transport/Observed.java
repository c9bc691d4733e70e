package dev.moonwire.rpc.runtime.internal.transport;

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

  public static void clientStarted(RpcObserver o, ProcessId peer, String function) {
    try {
      o.clientCallStarted(peer, function);
    } catch (Throwable t) {
      threw(o, "clientCallStarted", t);
    }
  }

  public static void clientEnded(RpcObserver o, ProcessId peer, String function,
      RpcException.Kind outcome, long nanos, long sent, long received) {
    try {
      o.clientCallEnded(peer, function, outcome, nanos, sent, received);
    } catch (Throwable t) {
      threw(o, "clientCallEnded", t);
    }
  }

  public static void serverStarted(RpcObserver o, ProcessId peer, String function) {
    try {
      o.serverCallStarted(peer, function);
    } catch (Throwable t) {
      threw(o, "serverCallStarted", t);
    }
  }

  public static void serverEnded(RpcObserver o, ProcessId peer, String function,
      RpcException.Kind outcome, long nanos, long received, long sent) {
    try {
      o.serverCallEnded(peer, function, outcome, nanos, received, sent);
    } catch (Throwable t) {
      threw(o, "serverCallEnded", t);
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
