package dev.moonwire.dalua.internal.mutex;

import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.Collection;
import java.util.Set;

/** What a {@link MutexState} needs of its process: sends, pings, time, its membership epoch. */
interface MutexContext {
  RpcProcess process();

  ProcessId self();

  /** This member's membership epoch (0: its directory keeps none). */
  long epoch();

  /** The error a fenced member's operation fails with, naming {@code what}. */
  FencedException fenced(String what);

  /** Sends {@code request} to each of {@code to} that is not held gone. */
  void sendRequest(Collection<ProcessId> to, MutexPeer.Request request);

  /** Sends {@code request} again to {@code to}, which answered a ping. */
  void resendRequest(ProcessId to, MutexPeer.Request request);

  /** Sends {@code ok} to {@code to}, unless it is held gone. */
  void sendOk(ProcessId to, MutexPeer.Ok ok);

  /**
   * Pings {@code p} unless a ping of it is in {@code outstanding}: {@code alive} if it answers,
   * {@code gone} if the failure detector holds it gone; both as events of the process.
   */
  void ping(ProcessId p, Set<ProcessId> outstanding, Runnable alive, Runnable gone);

  /** In a ping interval, {@code state.pingTick(ts)} as an event of the process. */
  void schedulePing(MutexState state, long ts);

  /** Logs that {@code member} is gone and what {@code algorithm} did: {@code done}. */
  void memberGone(ProcessId member, String algorithm, String done);
}
