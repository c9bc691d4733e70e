package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.HubDirectory;
import dev.moonwire.dalua.internal.LocalDirectory;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.List;
import java.util.Set;

/**
 * Where DALua's groups (apps) live — the service provider interface behind {@link Dalua#apps()}.
 * Three come with Moonwire: {@link #local()} for the processes of one JVM, {@link #hostedBy}
 * for several JVMs around one process that holds the groups (ALua's daemon), and
 * {@code ZooKeeperDirectory} (module {@code rpc-zookeeper}) for many hosts.
 *
 * <p>A directory must tell every member of a group when a process joins or leaves it — a
 * member whose process ends included — through the {@link Listener} of each member's session,
 * or by raising {@code dalua_app_join} / {@code dalua_app_leave} on it itself.
 */
public interface Directory {
  /**
   * Connects {@code process} to this directory.
   *
   * @param listener told of joins and leaves in the groups {@code process} is a member of
   */
  Session connect(RpcProcess process, Listener listener);

  /** One process's connection to a directory. Methods may be called from any thread. */
  interface Session extends AutoCloseable {
    /** @throws dev.moonwire.rpc.GroupException if the group exists */
    void create(String app);

    /** @throws dev.moonwire.rpc.GroupException if the group does not exist */
    void destroy(String app);

    /** @throws dev.moonwire.rpc.GroupException if the group does not exist */
    void join(String app);

    /** @throws dev.moonwire.rpc.GroupException if the group does not exist */
    void leave(String app);

    /**
     * The group's members, in join order.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    List<ProcessId> processes(String app);

    Set<String> applications();

    /** Leaves every group this process is in. */
    @Override
    void close();
  }

  /** Membership changes of the groups a process is in, itself included. */
  interface Listener {
    void joined(String app, ProcessId process);

    void left(String app, ProcessId process);
  }

  /**
   * The groups of the processes of this JVM, held in this JVM. A process that closes leaves
   * its groups within 200 ms.
   */
  static Directory local() {
    return LocalDirectory.INSTANCE;
  }

  /**
   * Groups held by the process {@code hub} for processes in any JVM — ALua's daemon. The hub
   * process attaches DALua with this same directory (it then hosts the groups); the others
   * call it. The hub pings each member every second ({@code -Dmoonwire.dalua.pingMillis}) and
   * drops one that does not answer within two pings' time, raising its leave: within about a
   * second for a process that closed or a JVM that died on a live host, within three seconds
   * when its host or the network is gone. Group calls suspend inside an event and block
   * outside one; with the hub gone they fail with
   * {@link dev.moonwire.rpc.PeerUnavailableException}. The hub holds at most 10,000 groups
   * and 10,000 member processes (100,000 memberships in all): past that, {@code create} and
   * {@code join} fail with {@link dev.moonwire.rpc.GroupException}, so it stays bounded and
   * pings every member it holds to its verdict.
   */
  static Directory hostedBy(ProcessId hub) {
    return new HubDirectory(hub);
  }
}
