package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.directory.HubDirectory;
import dev.moonwire.dalua.internal.directory.LocalDirectory;
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
 *
 * <p><b>Membership epochs.</b> Membership is what the directory decides (ZooKeeper's agreement
 * when it is used; DALua adds no consensus of its own), and a directory may take a live process
 * for gone — one cut off or paused past its failure detector. So each membership has an
 * {@linkplain Session#epoch() epoch}: a number that grows each time the directory takes a
 * process in anew. DALua's protocol messages carry it, and a member the others dropped at epoch
 * {@code e} is refused while it speaks for {@code e}: it is <em>fenced</em>. A session that
 * learns it was dropped tells its {@link Listener#dropped}; its operations then fail with
 * {@link dev.moonwire.rpc.FencedException} until it joins again, which starts a new epoch.
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
    /**
     * Creates the group {@code app}, empty.
     *
     * @throws dev.moonwire.rpc.GroupException if the group exists
     */
    void create(String app);

    /**
     * Destroys the group {@code app}.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    void destroy(String app);

    /**
     * Makes this process a member of {@code app}; after the directory dropped it, also starts
     * its new membership epoch.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    void join(String app);

    /**
     * Ends this process's membership of {@code app}.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    void leave(String app);

    /**
     * The group's members, in join order.
     *
     * @throws dev.moonwire.rpc.GroupException if the group does not exist
     */
    List<ProcessId> processes(String app);

    /** The groups that exist. */
    Set<String> applications();

    /** Leaves every group this process is in. */
    @Override
    void close();

    /**
     * This process's membership epoch: 0 until it joins a group (or if the directory keeps
     * none), then a number that grows each time the directory takes the process in anew — its
     * first join, and its first join after the directory dropped it. Leaving and joining groups
     * meanwhile keeps it. Any thread.
     */
    default long epoch() {
      return 0;
    }

    /**
     * Returns if this process's membership is known current: confirmed by the directory within
     * less than its failure detector's bound, or confirmed now (a call, on the calling thread:
     * it suspends inside an event and blocks elsewhere). A process that was frozen or cut off
     * cannot know whether it was dropped meanwhile; this asks before it acts.
     *
     * @throws dev.moonwire.rpc.FencedException if the directory dropped this process (its
     *     {@link Listener#dropped} is told first)
     * @throws dev.moonwire.rpc.RpcException if the directory cannot be asked
     */
    default void confirm() {}

    /**
     * Whether the directory holds {@code process} as a member of some group — then its own
     * detector decides whether that process is gone, and DALua's algorithms wait for its
     * verdict (a {@code dalua_app_leave}) rather than act on theirs. False for a process the
     * directory knows nothing of (a mutex among processes in no group). A call; any thread.
     *
     * @throws dev.moonwire.rpc.RpcException if the directory cannot be asked
     */
    default boolean holds(ProcessId process) {
      return false;
    }

    /**
     * The membership epoch the directory gave {@code process}: its current one while it is a
     * member of some group, 0 while it is in none. DALua checks the epoch a member's protocol
     * message claims against it, so a member cannot claim a later membership than it was given
     * (and outlive the leave of the one it has). A directory whose view lags (a cache) may
     * answer an older epoch for a moment: the claim is refused and the member's next resend
     * passes. By default {@link Long#MAX_VALUE}: a directory that keeps no epochs vouches for
     * any claim. A call; any thread.
     *
     * @throws dev.moonwire.rpc.RpcException if the directory cannot be asked
     */
    default long epochOf(ProcessId process) {
      return Long.MAX_VALUE;
    }
  }

  /** Membership changes of the groups a process is in, itself included. */
  interface Listener {
    /** {@code process} joined {@code app}. */
    void joined(String app, ProcessId process);

    /** {@code process} left {@code app}, or was dropped from it. */
    void left(String app, ProcessId process);

    /**
     * {@code process} left {@code app}, or was dropped from it, told by a directory that keeps
     * membership epochs: {@code epoch} is at least the epoch that ended and less than any later
     * membership of that address — so a leave told late, of an earlier run of a process
     * restarted at the same address, cannot be taken for the newer run's ({@link
     * Mutex#remove(ProcessId, long)}). By default {@link #left(String, ProcessId)}. Any thread.
     */
    default void left(String app, ProcessId process, long epoch) {
      left(app, process);
    }

    /**
     * The directory dropped this very process, whose membership {@code epoch} ended, from
     * {@code apps} (taken for gone: its leave was raised on the others). Told once per epoch,
     * on any thread, when the session learns it.
     */
    default void dropped(long epoch, Set<String> apps) {}
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
