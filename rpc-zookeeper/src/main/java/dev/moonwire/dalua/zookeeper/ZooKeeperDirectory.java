package dev.moonwire.dalua.zookeeper;

import dev.moonwire.dalua.Directory;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * DALua's groups in Apache ZooKeeper, through Apache Curator: for processes on many hosts.
 *
 * <p>Each group is a node under {@code /moonwire/dalua/apps}; each member an ephemeral,
 * sequential child of it holding the member's {@link ProcessId} — so join order is ZooKeeper's,
 * and a member whose process closes, whose JVM dies or whose host goes is dropped when its
 * ZooKeeper session ends: at once for a process that closes (within 200 ms), after the session
 * timeout otherwise. Every member watches its groups with a {@link CuratorCache} and raises
 * {@code dalua_app_join} / {@code dalua_app_leave} itself.
 *
 * <p>With ZooKeeper unreachable, calls between processes go on as before (they do not pass
 * through it); group calls fail with {@link PeerUnavailableException} after the connection
 * timeout, and work again once it is back. If a member's session expires meanwhile, its
 * memberships are gone (the others saw it leave) and it must join again.
 */
public final class ZooKeeperDirectory implements Directory {
  static final String APPS = "/moonwire/dalua/apps";
  private static final ScheduledExecutorService WATCHER =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-zookeeper-watcher").unstarted(r));

  private final String connectString;
  private final Duration sessionTimeout;
  private final Duration connectionTimeout;

  private ZooKeeperDirectory(String connectString, Duration sessionTimeout,
      Duration connectionTimeout) {
    this.connectString = connectString;
    this.sessionTimeout = sessionTimeout;
    this.connectionTimeout = connectionTimeout;
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
        positive(connectionTimeout));
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
        .build();
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

  /** One process's session: its own ZooKeeper client, and a cache of the groups. */
  private final class ZkSession implements Session {
    private final RpcProcess process;
    private final Listener listener;
    private final CuratorFramework client;
    private final CuratorCache cache;
    private final String self;
    private volatile boolean initialized;
    private volatile boolean closed;

    ZkSession(RpcProcess process, Listener listener, CuratorFramework client) {
      this.process = process;
      this.listener = listener;
      this.client = client;
      this.self = process.id().toString();
      this.cache = CuratorCache.build(client, APPS);
    }

    void start() {
      cache.listenable().addListener(CuratorCacheListener.builder()
          .forCreates(this::created)
          .forDeletes(this::deleted)
          .forInitialized(() -> initialized = true)
          .build());
      cache.start();
      watchProcess();
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

    /** A member node is {@code APPS/<app>/<node>}; null for other nodes. */
    private String[] member(ChildData node) {
      String rest = node.getPath().startsWith(APPS + "/")
          ? node.getPath().substring(APPS.length() + 1) : "";
      int slash = rest.indexOf('/');
      if (slash < 0 || node.getData() == null) {
        return null;
      }
      return new String[] {rest.substring(0, slash),
          new String(node.getData(), StandardCharsets.UTF_8)};
    }

    private void created(ChildData node) {
      String[] m = member(node);
      if (m == null || !initialized) {
        return; // the members there before this process attached are no news
      }
      if (isMember(m[0])) {
        listener.joined(m[0], ProcessId.parse(m[1]));
      }
    }

    private void deleted(ChildData node) {
      String[] m = member(node);
      if (m == null || !initialized) {
        return;
      }
      if (m[1].equals(self) || isMember(m[0])) {
        listener.left(m[0], ProcessId.parse(m[1]));
      }
    }

    /** Whether this process is a member of {@code app}, as the cache sees it. */
    private boolean isMember(String app) {
      return cache.stream().anyMatch(d -> {
        String[] m = member(d);
        return m != null && m[0].equals(app) && m[1].equals(self);
      });
    }

    private String path(String app) {
      if (app.isEmpty() || app.contains("/")) {
        throw new IllegalArgumentException("app : '" + app + "' (expected: a name without '/')");
      }
      return APPS + "/" + app;
    }

    @Override
    public void create(String app) {
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
      try {
        client.delete().deletingChildrenIfNeeded().forPath(path(app));
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("destroy '" + app + "'", e);
      }
    }

    @Override
    public void join(String app) {
      try {
        if (ownNodes(app).isEmpty()) {
          client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
              .forPath(path(app) + "/m-", self.getBytes(StandardCharsets.UTF_8));
        }
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("join '" + app + "'", e);
      }
    }

    @Override
    public void leave(String app) {
      try {
        for (String node : ownNodes(app)) {
          client.delete().quietly().forPath(path(app) + "/" + node);
        }
      } catch (KeeperException.NoNodeException e) {
        throw noSuchApp(app);
      } catch (Exception e) {
        throw failed("leave '" + app + "'", e);
      }
    }

    /** This process's member nodes in {@code app}, read from ZooKeeper. */
    private List<String> ownNodes(String app) throws Exception {
      List<String> own = new ArrayList<>();
      for (String node : client.getChildren().forPath(path(app))) {
        byte[] data = client.getData().forPath(path(app) + "/" + node);
        if (self.equals(new String(data, StandardCharsets.UTF_8))) {
          own.add(node);
        }
      }
      return own;
    }

    @Override
    public List<ProcessId> processes(String app) {
      try {
        List<String> nodes = new ArrayList<>(client.getChildren().forPath(path(app)));
        nodes.sort(Comparator.naturalOrder()); // m-<10-digit sequence>: join order
        Set<ProcessId> members = new LinkedHashSet<>();
        for (String node : nodes) {
          try {
            byte[] data = client.getData().forPath(path(app) + "/" + node);
            members.add(ProcessId.parse(new String(data, StandardCharsets.UTF_8)));
          } catch (KeeperException.NoNodeException left) {
            // it left while we read
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
      try {
        return new TreeSet<>(client.getChildren().forPath(APPS));
      } catch (KeeperException.NoNodeException e) {
        return Set.of();
      } catch (Exception e) {
        throw failed("applications", e);
      }
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

  @Override
  public String toString() {
    return "ZooKeeperDirectory(" + connectString + ")";
  }
}
