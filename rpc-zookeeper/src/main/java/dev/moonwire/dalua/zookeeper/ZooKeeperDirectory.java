package dev.moonwire.dalua.zookeeper;

import dev.moonwire.dalua.Directory;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.drivers.TracerDriver;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * DALua's groups in Apache ZooKeeper, through Apache Curator: for processes on many hosts.
 *
 * <p>Each group is a node under {@code /moonwire/dalua/apps}; each member an ephemeral,
 * sequential child of it holding the member's {@link ProcessId} — so join order is ZooKeeper's,
 * and a member whose process closes, whose JVM dies or whose host goes is dropped when its
 * ZooKeeper session ends: at once for a process that closes (within 200 ms), after the session
 * timeout otherwise. Every member follows the groups with a {@link CuratorCache}, indexed so
 * that a change costs what it changes, and raises {@code dalua_app_join} /
 * {@code dalua_app_leave} itself; {@code processes} is one round trip (the listing; the members'
 * data come from the cache). A member node that names no process (written by something else)
 * is skipped, with a WARN naming it at most once a minute.
 *
 * <p><b>Membership epochs.</b> A process's epoch is the creation zxid of its first member node
 * in its ZooKeeper session, so it grows with each new session. A member whose session expired
 * while it lived (cut off or frozen past the session timeout: the others saw it leave) is
 * fenced when it learns it (on reconnecting, or when Curator gives the session up): its own
 * leave is raised, and its DALua operations fail with {@link FencedException} until it joins
 * again, in a new epoch. A join first deletes a member node that names the process's address
 * from an ended ZooKeeper session ZooKeeper has not expired yet (the process dropped, or one
 * restarted at that address): the members see the old one leave, then the new one join. A
 * leave is told with its node's creation zxid ({@link Listener#left(String, ProcessId, long)}):
 * at least the epoch that ended, below any later one — so a leave told late cannot drop a newer
 * run. Its membership is confirmed by a round trip every quarter of the session timeout; one not confirmed within half of it is confirmed before the member acts.
 *
 * <p>With ZooKeeper unreachable, calls between processes go on as before (they do not pass
 * through it); group calls fail with {@link PeerUnavailableException} after the connection
 * timeout, and work again once it is back.
 */
public final class ZooKeeperDirectory implements Directory {
  static final String APPS = "/moonwire/dalua/apps";
  private static final ScheduledExecutorService WATCHER =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-zookeeper-watcher").unstarted(r));

  private final String connectString;
  private final Duration sessionTimeout;
  private final Duration connectionTimeout;
  /** For tests: told of each ZooKeeper operation its sessions make, or null. */
  private final TracerDriver tracer;
  /**
   * Whether a session follows the ensemble's configuration (Curator's default): it then
   * reconnects through any server, not only those it was given.
   */
  private final boolean trackEnsemble;

  private ZooKeeperDirectory(String connectString, Duration sessionTimeout,
      Duration connectionTimeout, TracerDriver tracer, boolean trackEnsemble) {
    this.connectString = connectString;
    this.sessionTimeout = sessionTimeout;
    this.connectionTimeout = connectionTimeout;
    this.tracer = tracer;
    this.trackEnsemble = trackEnsemble;
  }

  /** For tests: this directory, its sessions' ZooKeeper operations told to {@code tracer}. */
  ZooKeeperDirectory tracedBy(TracerDriver tracer) {
    return new ZooKeeperDirectory(connectString, sessionTimeout, connectionTimeout, tracer,
        trackEnsemble);
  }

  /**
   * For tests: this directory, its sessions kept to the servers of its connect string — so
   * that killing them cuts a session off for real.
   */
  ZooKeeperDirectory withoutEnsembleTracking() {
    return new ZooKeeperDirectory(connectString, sessionTimeout, connectionTimeout, tracer,
        false);
  }

  /**
   * The groups of the ZooKeeper ensemble at {@code connectString} ({@code host:port,...}),
   * with a 10 s session timeout (how soon a silent member is dropped) and a 5 s connection
   * timeout (how long a group call waits for an unreachable ensemble).
   */
  public static ZooKeeperDirectory connect(String connectString) {
    return connect(connectString, Duration.ofSeconds(10), Duration.ofSeconds(5));
  }

  /** {@link #connect(String)} with these timeouts. */
  public static ZooKeeperDirectory connect(String connectString, Duration sessionTimeout,
      Duration connectionTimeout) {
    Objects.requireNonNull(connectString, "connectString");
    return new ZooKeeperDirectory(connectString, positive(sessionTimeout),
        positive(connectionTimeout), null, true);
  }

  private static Duration positive(Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("timeout : " + d + " (expected: > 0)");
    }
    return d;
  }

  /**
   * One ZooKeeper session per process: its ephemeral member nodes live as long as it.
   *
   * @throws PeerUnavailableException if the ensemble cannot be reached
   */
  @Override
  public Session connect(RpcProcess process, Listener listener) {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs((int) sessionTimeout.toMillis())
        .connectionTimeoutMs((int) connectionTimeout.toMillis())
        .retryPolicy(new RetryNTimes(1, 100))
        .ensembleTracker(trackEnsemble)
        .build();
    if (tracer != null) {
      client.getZookeeperClient().setTracerDriver(tracer);
    }
    client.start();
    try {
      if (!client.blockUntilConnected((int) connectionTimeout.toMillis(),
          TimeUnit.MILLISECONDS)) {
        client.close();
        throw unreachable("attach", null);
      }
    } catch (InterruptedException e) {
      client.close();
      Thread.currentThread().interrupt();
      throw unreachable("attach", e);
    }
    ZkSession session = new ZkSession(process, listener, client);
    session.start();
    return session;
  }

  private PeerUnavailableException unreachable(String what, Exception e) {
    return new PeerUnavailableException("DALua's directory: " + what + " failed: ZooKeeper at "
        + connectString + " unreachable" + (e == null || e.getMessage() == null ? ""
            : " (" + e.getMessage() + ")") + "; group calls work again once it is back");
  }

  /**
   * One process's session: its own ZooKeeper client, and a cache of the groups indexed by
   * {@link MemberIndex}.
   *
   * <p>Its membership epoch is the creation zxid of the first member node it made in its
   * ZooKeeper session: zxids grow across the ensemble, so a later session's is larger. When that
   * session ends without the process closing (it was cut off or frozen past the session
   * timeout, and ZooKeeper dropped its member nodes: the others saw it leave), the session is
   * fenced: its listener is told {@link Listener#dropped} once, and every group call but
   * {@code join} fails with {@link FencedException} until it joins again in its new session.
   */
  private final class ZkSession implements Session {
    /** A member node naming this process: its name, ZooKeeper session and creation zxid. */
    private record OwnNode(String name, long owner, long czxid) {}

    private final RpcProcess process;
    private final Listener listener;
    private final CuratorFramework client;
    private final CuratorCache cache;
    private final ProcessId self;
    private final byte[] selfBytes;
    private final MemberIndex index = new MemberIndex();
    /** The groups this process joined and has not left, for {@link Listener#dropped}. */
    private final Set<String> apps = ConcurrentHashMap.newKeySet();
    private volatile boolean initialized;
    private volatile boolean closed;
    private volatile boolean connected = true;
    /**
     * The client's ZooKeeper session as its connection events last told, 0 once Curator gave
     * it up: kept here because asking Curator for it takes the background errors that it keeps
     * for the next operation (and fails with them).
     */
    private volatile long currentSession;
    /** This process's membership epoch, 0 while it is in no group. */
    private volatile long epoch;
    /** The ZooKeeper session that {@link #epoch} lives in. */
    private volatile long epochSession;
    /** When a round trip in {@link #epochSession} was last sent and answered (nanoTime). */
    private volatile long confirmedAt;
    /** The epoch whose end the listener was told of, or 0; set under {@link #tellOnce}. */
    private volatile long toldDropped;
    private final Object tellOnce = new Object();

    ZkSession(RpcProcess process, Listener listener, CuratorFramework client) {
      this.process = process;
      this.listener = listener;
      this.client = client;
      this.self = process.id();
      this.selfBytes = self.toString().getBytes(StandardCharsets.UTF_8);
      this.cache = CuratorCache.build(client, APPS);
    }

    void start() {
      cache.listenable().addListener(CuratorCacheListener.builder()
          .forCreates(this::created)
          .forDeletes(this::deleted)
          .forInitialized(() -> initialized = true)
          .build());
      currentSession = liveSession();
      client.getConnectionStateListenable().addListener((c, state) -> {
        connected = state.isConnected();
        if (state == ConnectionState.LOST || state.isConnected()) {
          // read, not assumed: a LOST told late may follow a join in the new session
          try {
            currentSession = liveSession();
          } catch (PeerUnavailableException e) {
            if (state != ConnectionState.LOST) {
              return; // the next event tells
            }
            currentSession = 0; // Curator gave the session up
          }
          checkSession();
        }
      });
      cache.start();
      watchProcess();
      scheduleConfirm();
    }

    /** A process that closes leaves its groups at once: its session ends with it. */
    // the future could only hold a failure of close(), which sets `closed` before it closes
    // Curator: the watch ends either way, and nothing waits for it
    @SuppressWarnings("FutureReturnValueIgnored")
    private void watchProcess() {
      WATCHER.schedule(() -> {
        if (closed) {
          return;
        }
        if (process.isClosed()) {
          close();
        } else {
          watchProcess();
        }
      }, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Confirms the epoch's session with a round trip every half lease, so that {@link
     * #confirm()} rarely needs one of its own; the answer arrives on Curator's thread.
     */
    // as watchProcess: a failed round trip only leaves the lease to run out
    @SuppressWarnings("FutureReturnValueIgnored")
    private void scheduleConfirm() {
      WATCHER.schedule(() -> {
        if (closed) {
          return;
        }
        long e = epoch;
        if (e != 0 && toldDropped != e && connected) {
          long sent = System.nanoTime();
          try {
            client.checkExists().inBackground((c, event) -> {
              if (event.getResultCode() == 0) {
                confirmed(e, sent);
              }
            }).forPath(APPS);
          } catch (Exception unreachable) {
            // the lease runs out; confirm() asks and fails typed
          }
        }
        scheduleConfirm();
      }, Math.max(10, lease().toMillis() / 2), TimeUnit.MILLISECONDS);
    }

    /**
     * How long a round trip in the epoch's session vouches for it: half the session timeout
     * (the negotiated one if shorter), since ZooKeeper, having heard the session after the trip
     * was sent, cannot expire it before a whole timeout has passed again.
     */
    private Duration lease() {
      Duration d = sessionTimeout;
      try {
        int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        if (negotiated > 0 && negotiated < d.toMillis()) {
          d = Duration.ofMillis(negotiated);
        }
      } catch (Exception closedClient) {
        // the requested timeout then
      }
      return d.dividedBy(2);
    }

    /** A round trip sent at {@code sent} was answered: {@code e} stands if its session does. */
    private void confirmed(long e, long sent) {
      if (epoch == e && sessionId() == epochSession && sent - confirmedAt > 0) {
        confirmedAt = sent;
      }
    }

    /** The client's ZooKeeper session, as its connection events told. */
    private long sessionId() {
      return currentSession;
    }

    /**
     * The client's ZooKeeper session now, asked of Curator (0 while a new one is being made).
     *
     * @throws PeerUnavailableException if Curator has a connection error for the next caller
     */
    private long liveSession() {
      try {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
      } catch (Exception e) {
        throw failed("read the ZooKeeper session", e);
      }
    }

    /** If the epoch's ZooKeeper session ended, ZooKeeper dropped this process: say so once. */
    private void checkSession() {
      long e = epoch;
      if (e != 0 && sessionId() != epochSession) {
        dropped(e);
      }
    }

    /** Tells the listener once that epoch {@code e} ended. */
    private void dropped(long e) {
      Set<String> left;
      synchronized (tellOnce) { // not the session's lock: a join may wait on ZooKeeper under it
        if (e == 0 || toldDropped == e) {
          return;
        }
        toldDropped = e;
        left = Set.copyOf(apps);
        apps.clear();
      }
      listener.dropped(e, left);
    }

    /** Before a group call but join: throws if this process was dropped and has not joined. */
    private void checkCurrent() {
      checkSession();
      long e = epoch;
      if (e != 0 && toldDropped == e) {
        throw new FencedException(self + " was dropped from its groups at membership epoch " + e
            + " (its ZooKeeper session expired: the others saw it leave; expected: join again, "
            + "which starts a new epoch)");
      }
    }

    /** A member node is {@code APPS/<app>/<node>}; null for other nodes. */
    private String[] names(ChildData node) {
      String rest = node.getPath().startsWith(APPS + "/")
          ? node.getPath().substring(APPS.length() + 1) : "";
      int slash = rest.indexOf('/');
      return slash < 0 ? null : new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    private MemberIndex.Member member(String app, String node, byte[] data, Stat stat) {
      return new MemberIndex.Member(parse(app, node, data), stat == null ? 0
          : stat.getEphemeralOwner(), stat == null ? 0 : stat.getCzxid());
    }

    private void created(ChildData node) {
      String[] n = names(node);
      if (n == null) {
        return;
      }
      MemberIndex.Member m = member(n[0], n[1], node.getData(), node.getStat());
      boolean newcomer = index.put(n[0], n[1], m);
      // the members there before this process attached are no news
      if (initialized && newcomer && m.id() != null && index.contains(n[0], self)) {
        listener.joined(n[0], m.id());
      }
    }

    private void deleted(ChildData node) {
      String[] n = names(node);
      if (n == null) {
        return;
      }
      MemberIndex.Member m = index.remove(n[0], n[1]);
      if (!initialized || m == null || m.id() == null || index.contains(n[0], m.id())) {
        return; // still a member through another node: a process that rejoined in a new session
      }
      // the node's creation zxid: at least the epoch that ended (the one of the process's
      // first node in its session), below any later session's — so a leave told late cannot
      // be taken for a newer run's at that address
      if (m.id().equals(self)) {
        if (m.owner() != sessionId()) {
          checkSession(); // ZooKeeper dropped it: told once as such, not as a leave
        } else {
          listener.left(n[0], self, m.czxid());
        }
      } else if (index.contains(n[0], self)) {
        listener.left(n[0], m.id(), m.czxid());
      }
    }

    private String path(String app) {
      if (app.isEmpty() || app.contains("/")) {
        throw new IllegalArgumentException("app : '" + app + "' (expected: a name without '/')");
      }
      return APPS + "/" + app;
    }

    @Override
    public void create(String app) {
      checkCurrent();
      try {
        client.create().creatingParentsIfNeeded().forPath(path(app));
      } catch (KeeperException.NodeExistsException e) {
        throw new GroupException("app '" + app + "' exists (expected: a new name, or join it)");
      } catch (Exception e) {
        throw failed("create '" + app + "'", e);
      }
    }

    @Override
    public void destroy(String app) {
      checkCurrent();
      try {
        client.delete().deletingChildrenIfNeeded().forPath(path(app));
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("destroy '" + app + "'", e);
      }
    }

    @Override
    public synchronized void join(String app) {
      try {
        List<OwnNode> nodes = ownNodes(app);
        long session = liveSession(); // after a round trip: that of a connection
        if (epoch != 0 && epochSession != session) {
          dropped(epoch); // learned here: told before the new epoch starts
        }
        boolean anew = epoch == 0 || toldDropped == epoch;
        List<OwnNode> own = new ArrayList<>();
        for (OwnNode node : nodes) {
          if (node.owner() == session) {
            own.add(node);
          } else {
            // an ended incarnation's (this process dropped, or restarted at its address), not
            // yet expired: it goes first, so the members see the old one leave, then the new
            // one join
            client.delete().quietly().forPath(path(app) + "/" + node.name());
          }
        }
        long created;
        if (own.isEmpty()) {
          Stat stat = new Stat();
          client.create().storingStatIn(stat).withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
              .forPath(path(app) + "/m-", selfBytes);
          session = stat.getEphemeralOwner();
          created = stat.getCzxid();
        } else {
          created = own.get(0).czxid();
        }
        currentSession = session; // its connection event may not be told yet
        if (anew) {
          epochSession = session;
          epoch = created;
        }
        confirmedAt = System.nanoTime();
        apps.add(app);
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("join '" + app + "'", e);
      }
    }

    @Override
    public synchronized void leave(String app) {
      checkCurrent();
      try {
        for (OwnNode node : ownNodes(app)) {
          client.delete().quietly().forPath(path(app) + "/" + node.name());
        }
        apps.remove(app);
        if (apps.isEmpty()) {
          epoch = 0; // in no group: its next join takes it in anew
        }
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("leave '" + app + "'", e);
      }
    }

    /**
     * The member nodes in {@code app} that name this process's address, in any ZooKeeper
     * session, read from ZooKeeper: one listing, and the data of the nodes the cache has not
     * seen yet.
     */
    private List<OwnNode> ownNodes(String app) throws Exception {
      List<OwnNode> own = new ArrayList<>();
      for (String node : client.getChildren().forPath(path(app))) {
        MemberIndex.Member m = read(app, node);
        if (m != null && self.equals(m.id())) {
          own.add(new OwnNode(node, m.owner(), m.czxid()));
        }
      }
      return own;
    }

    /** Member node {@code node} of {@code app}: from the cache, or read; null if gone. */
    private MemberIndex.Member read(String app, String node) throws Exception {
      MemberIndex.Member m = index.get(app, node);
      if (m != null) {
        return m;
      }
      Stat stat = new Stat();
      try {
        byte[] data = client.getData().storingStatIn(stat).forPath(path(app) + "/" + node);
        return member(app, node, data, stat);
      } catch (KeeperException.NoNodeException left) {
        return null; // it left while we read
      }
    }

    @Override
    public List<ProcessId> processes(String app) {
      checkCurrent();
      try {
        List<String> nodes = new ArrayList<>(client.getChildren().forPath(path(app)));
        nodes.sort(Comparator.naturalOrder()); // m-<10-digit sequence>: join order
        Set<ProcessId> members = new LinkedHashSet<>();
        for (String node : nodes) {
          MemberIndex.Member m = read(app, node);
          if (m != null && m.id() != null) {
            members.add(m.id());
          }
        }
        return List.copyOf(members);
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("processes of '" + app + "'", e);
      }
    }

    @Override
    public Set<String> applications() {
      checkCurrent();
      try {
        return new TreeSet<>(client.getChildren().forPath(APPS));
      } catch (KeeperException.NoNodeException e) {
        return Set.of();
      } catch (Exception e) {
        throw failed("applications", e);
      }
    }

    @Override
    public long epoch() {
      return epoch;
    }

    /** From the cache: whether {@code p} has a member node in some group. */
    @Override
    public boolean holds(ProcessId p) {
      checkCurrent();
      return index.holds(p);
    }

    /** From the cache: the newest creation zxid of {@code p}'s member nodes, 0 if none. */
    @Override
    public long epochOf(ProcessId p) {
      checkCurrent();
      return index.newest(p);
    }

    @Override
    public void confirm() {
      checkCurrent();
      long e = epoch;
      if (e == 0 || (connected && System.nanoTime() - confirmedAt < lease().toNanos())) {
        return;
      }
      long sent = System.nanoTime();
      try {
        client.checkExists().forPath(APPS);
      } catch (Exception ex) {
        throw failed("confirm the membership of " + self, ex);
      }
      long live = liveSession();
      if (live != epochSession) { // the round trip was in a new session: the old one ended
        currentSession = live;
      }
      confirmed(e, sent);
      checkCurrent();
    }

    private GroupException noSuchApp(String app) {
      return new GroupException("no app '" + app + "' (expected: create it first)");
    }

    private RuntimeException failed(String what, Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (e instanceof IllegalArgumentException iae) {
        return iae;
      }
      return unreachable(what, e);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      cache.close();
      client.close(); // its session ends: its member nodes go, the others see it leave
    }
  }

  /**
   * The process a member node names, or null for a node that names none — written by
   * something other than this directory: it is skipped, with a WARN naming it at most once
   * every {@link #WARN_EVERY} (whatever the number of such nodes), so that one bad node costs
   * neither the group's members nor the log.
   */
  static ProcessId parse(String app, String node, byte[] data) {
    if (data != null && node.startsWith("m-")) {
      try {
        return ProcessId.parse(new String(data, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        // warned below
      }
    }
    long now = System.nanoTime();
    long next = NEXT_WARN.get();
    if (now - next >= 0 && NEXT_WARN.compareAndSet(next, now + WARN_EVERY.toNanos())) {
      LOG.warn("DALua's directory: skipped member node {}/{}/{}: it names no process (expected: "
          + "m-<sequence> holding host:port; {} bytes); further such nodes are not logged for {}",
          APPS, app, node, data == null ? 0 : data.length, WARN_EVERY);
    }
    return null;
  }

  static final Duration WARN_EVERY = Duration.ofMinutes(1);
  private static final java.util.concurrent.atomic.AtomicLong NEXT_WARN =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ZooKeeperDirectory.class);

  @Override
  public String toString() {
    return "ZooKeeperDirectory(" + connectString + ")";
  }
}
