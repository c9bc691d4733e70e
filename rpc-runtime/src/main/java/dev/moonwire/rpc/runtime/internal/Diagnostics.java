package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.Budget;
import dev.moonwire.rpc.runtime.internal.transport.ChannelConnection;
import dev.moonwire.rpc.runtime.internal.transport.Connections;
import java.util.List;

/**
 * What tests and diagnostics read of a process beyond {@code stats()}: its connections' partial
 * frames and refusals, and the blocked-event checker's reports. Read-only; any thread.
 */
public final class Diagnostics {
  private final Connections connections;
  private final BlockedEventChecker blockedChecker; // null when off

  Diagnostics(Connections connections, BlockedEventChecker blockedChecker) {
    this.connections = connections;
    this.blockedChecker = blockedChecker;
  }

  /** Bytes of frames begun and not finished. */
  public Budget partialFrames() {
    return connections.partialFrames();
  }

  /** Connections closed over partial frames since the process opened. */
  public long closedForPartialFrames() {
    return connections.closedForPartialFrames();
  }

  /** Connections refused for {@code maxConnections} since the process opened. */
  public long refusedConnections() {
    return connections.refusedConnections();
  }

  /** True if reading is paused on one of the process's connections. */
  public boolean readingPausedOnSomeConnection() {
    return connections.readingPausedOnSome();
  }

  /** How many network connections the process has now. */
  public int connectionCount() {
    return connections.size();
  }

  /** The process's network connections now. */
  public List<ChannelConnection> connectionsNow() {
    return connections.all();
  }

  /** How many blocked events the checker has reported. */
  public long blockedEventReports() {
    return blockedChecker == null ? 0 : blockedChecker.reports();
  }

  /** The stack of the last blocked event reported, or "". */
  public String lastBlockedEventStack() {
    return blockedChecker == null ? "" : blockedChecker.lastStack();
  }
}
