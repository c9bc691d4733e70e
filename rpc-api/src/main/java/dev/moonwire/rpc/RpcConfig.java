package dev.moonwire.rpc;

import dev.moonwire.rpc.internal.Text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to open a process: where it listens, its default deadline, the classes it lets cross the
 * wire, its limits. Immutable: each {@code with...} method returns a new config.
 *
 * <pre>{@code
 * RpcConfig config = RpcConfig.port(7001)
 *     .withDeadline(Duration.ofSeconds(5))
 *     .register(Point.class, Color.class);
 * }</pre>
 *
 * <p>Both sides of a call must register the classes that cross the wire between them; the order
 * of registration does not matter.
 */
public final class RpcConfig {
  /** The default deadline of a call: 30 seconds. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  /** The default limit of calls in flight per connection and direction: 65,536. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 65_536;
  /** The default limit of connections peers have open to one process: 16,384. */
  public static final int DEFAULT_MAX_CONNECTIONS = 16_384;
  /** The default largest frame: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  /** How long a new connection may take to finish its handshake: 10 seconds. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /** The largest frame accepted before the handshake is done: 64 KiB. */
  public static final int HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;
  /** How long one event may hold its process before a warning is logged: 2 seconds. */
  public static final Duration DEFAULT_BLOCKED_EVENT_THRESHOLD = Duration.ofSeconds(2);
  /** What each queued or running request, send or reply is counted at beyond its frame. */
  public static final int QUEUED_EVENT_OVERHEAD_BYTES = 2048;

  // Effectively final: every with... method changes a fresh copy (see copy()) before anyone
  // else sees it, so a config is immutable once returned.
  private String host = "127.0.0.1";
  private String advertisedHost; // null: the host bound
  private int port;
  private Duration deadline = DEFAULT_DEADLINE;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private List<Class<?>> registered = List.of();
  private Consumer<Throwable> uncaughtErrorHandler;
  private Duration heartbeatInterval = Duration.ofSeconds(5);
  private Duration closeGrace = Duration.ofSeconds(5);
  private byte[] secret = new byte[0];
  private Tls tls;
  private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private long maxQueuedBytes = defaultMaxQueuedBytes();
  private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
  private Duration blockedEventThreshold = DEFAULT_BLOCKED_EVENT_THRESHOLD;
  private RpcObserver observer;

  private RpcConfig() {}

  private RpcConfig copy() {
    RpcConfig c = new RpcConfig();
    c.host = host;
    c.advertisedHost = advertisedHost;
    c.port = port;
    c.deadline = deadline;
    c.maxFrameBytes = maxFrameBytes;
    c.registered = registered;
    c.uncaughtErrorHandler = uncaughtErrorHandler;
    c.heartbeatInterval = heartbeatInterval;
    c.closeGrace = closeGrace;
    c.secret = secret;
    c.tls = tls;
    c.maxInFlight = maxInFlight;
    c.maxConnections = maxConnections;
    c.maxQueuedBytes = maxQueuedBytes;
    c.observer = observer;
    c.handshakeTimeout = handshakeTimeout;
    c.blockedEventThreshold = blockedEventThreshold;
    return c;
  }

  /** Listens on a free port of 127.0.0.1, with all defaults. */
  public static RpcConfig defaults() {
    return new RpcConfig();
  }

  /** Listens on {@code port} of 127.0.0.1 (0 = any free port), with all other defaults. */
  public static RpcConfig port(int port) {
    return defaults().withPort(port);
  }

  /**
   * Listens on this port (0 = any free port).
   *
   * @throws IllegalArgumentException if the port is not in 0..65535
   */
  public RpcConfig withPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port : " + port + " (expected: 0..65535)");
    }
    RpcConfig c = copy();
    c.port = port;
    return c;
  }

  /**
   * Binds to this host address; it is also the host of the process's {@link ProcessId}, unless
   * {@link #withAdvertisedHost} says another. The default, 127.0.0.1, accepts only local peers.
   */
  public RpcConfig withHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host : '' (expected: a host name or address)");
    }
    RpcConfig c = copy();
    c.host = host;
    return c;
  }

  /**
   * The host peers are told to call this process back at — the host of its {@link ProcessId} —
   * when it differs from the address bound: a process bound to all interfaces
   * ({@code withHost("0.0.0.0")}) or behind a NAT. Without it, a process bound to all
   * interfaces advertises this machine's address ({@code InetAddress.getLocalHost()}).
   */
  public RpcConfig withAdvertisedHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("advertised host : '' (expected: a host name or "
          + "address peers can reach)");
    }
    RpcConfig c = copy();
    c.advertisedHost = host;
    return c;
  }

  /** The host of the process's {@link ProcessId}; see {@link #withAdvertisedHost}. */
  public String advertisedHost() {
    if (advertisedHost != null) {
      return advertisedHost;
    }
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
      return host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  /**
   * The deadline of calls that set none themselves.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConfig withDeadline(Duration deadline) {
    RpcConfig c = copy();
    c.deadline = positive("deadline", deadline);
    return c;
  }

  /**
   * The largest frame this process sends or accepts. A call whose frame is larger fails at the
   * caller with a {@link SerializationException} before anything is sent; a larger frame
   * received closes that one connection.
   */
  public RpcConfig withMaxFrameBytes(int maxFrameBytes) {
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException(
          "maxFrameBytes : " + maxFrameBytes + " (expected: >= 1024)");
    }
    RpcConfig c = copy();
    c.maxFrameBytes = maxFrameBytes;
    return c;
  }

  /**
   * Lets these classes cross the wire, in addition to the built-in ones (boxed primitives,
   * String, arrays of those, the common List, Map and Set shapes). Records and enums are
   * serialized field by field once registered. Registering a class twice is harmless.
   */
  public RpcConfig register(Class<?>... classes) {
    List<Class<?>> all = new ArrayList<>(registered);
    for (Class<?> c : classes) {
      Objects.requireNonNull(c, "class");
      if (!all.contains(c)) {
        all.add(c);
      }
    }
    RpcConfig c = copy();
    c.registered = Collections.unmodifiableList(all);
    return c;
  }

  /**
   * Where the process reports what its callbacks throw, and failures of calls that have no
   * error callback. Runs on the process. The default logs them at WARN.
   */
  public RpcConfig onUncaughtError(Consumer<Throwable> handler) {
    RpcConfig c = copy();
    c.uncaughtErrorHandler = Objects.requireNonNull(handler, "handler");
    return c;
  }

  /**
   * How often an idle connection is probed with PING; a peer that has not answered within two
   * intervals is taken for gone and its pending calls fail with
   * {@link PeerUnavailableException}.
   */
  public RpcConfig withHeartbeat(Duration interval) {
    RpcConfig c = copy();
    c.heartbeatInterval = positive("heartbeat", interval);
    return c;
  }

  /** How long {@code close()} lets running handlers finish before failing what is left. */
  public RpcConfig withCloseGrace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("close grace : " + Text.duration(grace) + " (expected: >= 0)");
    }
    RpcConfig c = copy();
    c.closeGrace = grace;
    return c;
  }

  /**
   * A shared secret for networks without TLS: both ends of every connection must hold the same
   * one. Each side proves it knows the secret with an HMAC-SHA256 over fresh nonces from both
   * sides, so the secret never crosses the wire and a recorded handshake cannot be replayed. A
   * peer without it, or with another, is refused at connect, and the calls to it fail with a
   * {@link PeerUnavailableException} that says so. It authenticates; it does not encrypt.
   *
   * @throws IllegalArgumentException if the secret is empty
   */
  public RpcConfig withSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("secret : '' (expected: at least one character)");
    }
    RpcConfig c = copy();
    c.secret = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return c;
  }

  /**
   * TLS for every connection of the process, in both directions. A process is a server and a
   * client at once, so one identity serves both: {@code keys} holds this process's certificate
   * and private key, {@code trust} the certificates (or authorities) it accepts from peers. As a
   * client the process checks that the peer's certificate names the host it dialled (HTTPS
   * rules: a DNS or IP subject alternative name). With {@code mutual}, peers must present a
   * certificate that {@code trust} accepts, or their connection is refused.
   *
   * <p>Both sides must use TLS. A failed TLS handshake fails the calls of that connection with a
   * {@link PeerUnavailableException} whose message says why.
   */
  public RpcConfig withTls(KeyManagerFactory keys, TrustManagerFactory trust, boolean mutual) {
    RpcConfig c = copy();
    c.tls = new Tls(Objects.requireNonNull(keys, "keys"), Objects.requireNonNull(trust, "trust"),
        mutual);
    return c;
  }

  /**
   * Installs an observer of the process's calls and connections ({@link RpcObserver}): what
   * {@code rpc-micrometer} and {@code rpc-opentelemetry} plug into. One per process; a
   * process without one pays nothing for it.
   */
  public RpcConfig withObserver(RpcObserver observer) {
    RpcConfig c = copy();
    c.observer = Objects.requireNonNull(observer, "observer");
    return c;
  }

  /** The observer of the process's calls and connections, or null for none. */
  public RpcObserver observer() {
    return observer;
  }

  /**
   * The most calls in flight on one connection, each way. As a caller, a process refuses a call
   * beyond it at once with an {@link OverloadedException}, sending nothing. As a callee, a
   * process answers each request beyond it from one peer with an {@link OverloadedException}
   * (the handler does not run) and goes on reading that peer's other messages.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConfig withMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight : " + maxInFlight + " (expected: > 0)");
    }
    RpcConfig c = copy();
    c.maxInFlight = maxInFlight;
    return c;
  }

  /**
   * The most connections peers may have open to this process at once (those it dials itself
   * are not counted). A connection beyond it is told why and closed before its handshake: each
   * call queued on it fails at its caller with an {@link OverloadedException} ("the call did not
   * run"), and the refusal is logged at the server (at most a few lines per ten seconds). The
   * default, {@value #DEFAULT_MAX_CONNECTIONS}, holds ten thousand idle clients.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConfig withMaxConnections(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections : " + maxConnections
          + " (expected: > 0)");
    }
    RpcConfig c = copy();
    c.maxConnections = maxConnections;
    return c;
  }

  /**
   * The most bytes this process holds for work that peers gave it and that has not ended:
   * requests and one-way sends queued or running, and replies not yet run. Each counts at its
   * frame size plus {@value #QUEUED_EVENT_OVERHEAD_BYTES} bytes (the objects and the suspended
   * thread that carry it). A request or send beyond the limit is refused at once — the caller
   * gets an {@link OverloadedException}, a refused one-way send is reported to the sender's
   * uncaught-error handler — and the process keeps serving what it holds. The same limit bounds
   * the bytes queued to go out to peers: a call beyond it fails with an
   * {@link OverloadedException} at the caller, nothing sent. The default is an eighth of the
   * maximum heap, between 16 MiB and 256 MiB.
   *
   * @throws IllegalArgumentException if under 64 KiB
   */
  public RpcConfig withMaxQueuedBytes(long maxQueuedBytes) {
    if (maxQueuedBytes < 64 * 1024) {
      throw new IllegalArgumentException(
          "maxQueuedBytes : " + maxQueuedBytes + " (expected: >= 65536)");
    }
    RpcConfig c = copy();
    c.maxQueuedBytes = maxQueuedBytes;
    return c;
  }

  /**
   * How long a new connection may take to finish its handshake (TLS included) before it is
   * closed. Until then a peer may send frames of at most {@value #HANDSHAKE_MAX_FRAME_BYTES}
   * bytes and gets no heartbeat, so an unauthenticated peer can hold neither a connection nor
   * memory for long. Calls waiting on a connection that times out fail with
   * {@link PeerUnavailableException}.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConfig withHandshakeTimeout(Duration timeout) {
    RpcConfig c = copy();
    c.handshakeTimeout = positive("handshake timeout", timeout);
    return c;
  }

  /**
   * The blocked-event checker: when one event holds its process (its baton) for longer than
   * {@code threshold} without reaching a suspension point, a warning with the event's stack is
   * logged, once per event. Such an event stalls every other event of the process: typically a
   * blocking call that is not a suspension point ({@code Thread.sleep}, {@code join()} on a
   * foreign future, JDBC). {@link Duration#ZERO} turns the checker off.
   *
   * @throws IllegalArgumentException if negative
   */
  public RpcConfig withBlockedEventThreshold(Duration threshold) {
    Objects.requireNonNull(threshold, "threshold");
    if (threshold.isNegative()) {
      throw new IllegalArgumentException(
          "blocked event threshold : " + Text.duration(threshold)
              + " (expected: >= 0; 0 = off)");
    }
    RpcConfig c = copy();
    c.blockedEventThreshold = threshold;
    return c;
  }

  /** The limit on bytes of work held, in and out; see {@link #withMaxQueuedBytes}. */
  public long maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /** The handshake timeout. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** The blocked-event threshold; zero when the checker is off. */
  public Duration blockedEventThreshold() {
    return blockedEventThreshold;
  }

  private static long defaultMaxQueuedBytes() {
    long eighth = Runtime.getRuntime().maxMemory() / 8;
    return Math.max(16L << 20, Math.min(256L << 20, eighth));
  }

  /** The limit of connections peers may have open to this process. */
  public int maxConnections() {
    return maxConnections;
  }

  /** The limit of calls in flight per connection and direction. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** The TLS settings of {@link #withTls}, as given. */
  public record Tls(KeyManagerFactory keys, TrustManagerFactory trust, boolean mutual) {}

  /** The TLS settings, or null for plain TCP. */
  public Tls tls() {
    return tls;
  }

  /** The shared secret as bytes (a copy); empty when there is none. */
  public byte[] secret() {
    return secret.clone();
  }

  /** The host the process binds to. */
  public String host() {
    return host;
  }

  /** The port the process binds to; 0 = any free port. */
  public int port() {
    return port;
  }

  /** The default deadline of a call. */
  public Duration deadline() {
    return deadline;
  }

  /** The largest frame sent or accepted. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The classes registered beyond the built-in ones, in registration order. */
  public List<Class<?>> registeredClasses() {
    return registered;
  }

  /** The uncaught-error handler, or null for the default (log). */
  public Consumer<Throwable> uncaughtErrorHandler() {
    return uncaughtErrorHandler;
  }

  /** The heartbeat interval. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** The grace period of {@code close()}. */
  public Duration closeGrace() {
    return closeGrace;
  }

  private static Duration positive(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " : " + d + " (expected: > 0)");
    }
    return d;
  }

  @Override
  public String toString() {
    return "RpcConfig{" + host + ":" + port
        + (advertisedHost != null ? ", advertised as " + advertisedHost : "") + ", deadline=" + Text.duration(deadline) + ", maxFrameBytes="
        + maxFrameBytes + ", registered=" + registered.size()
        + (secret.length > 0 ? ", secret=<set>" : "") + (tls != null ? ", tls" : "") + "}";
  }
}
