package dev.moonwire.rpc.runtime.internal.transport;

/**
 * The names of Moonwire's loggers, for users to configure: none is a class name.
 *
 * <ul>
 *   <li>{@code dev.moonwire.rpc.Process}: what user code threw that nobody else saw (WARN), and
 *       failures of the process itself (ERROR).
 *   <li>{@code dev.moonwire.rpc.Connections}: connections dialled, opened, lost and re-dialled,
 *       with the peer (DEBUG).
 *   <li>{@code dev.moonwire.rpc.Peers}: what a peer did wrong — protocol errors, refused work,
 *       heartbeats unanswered (WARN, rate-limited).
 *   <li>{@code dev.moonwire.rpc.BlockedEvent}: an event that held its process too long (WARN).
 * </ul>
 */
public final class Loggers {
  private Loggers() {}

  public static final String PROCESS = "dev.moonwire.rpc.Process";
  public static final String CONNECTIONS = "dev.moonwire.rpc.Connections";
  public static final String PEERS = "dev.moonwire.rpc.Peers";
  public static final String BLOCKED_EVENT = "dev.moonwire.rpc.BlockedEvent";
}
