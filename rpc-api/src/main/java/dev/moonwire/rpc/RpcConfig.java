package dev.moonwire.rpc;

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
  /** The default largest frame: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final String host;
  private final int port;
  private final Duration deadline;
  private final int maxFrameBytes;
  private final List<Class<?>> registered;
  private final Consumer<Throwable> uncaughtErrorHandler;
  private final Duration heartbeatInterval;
  private final Duration closeGrace;
  private final byte[] secret;
  private final Tls tls;
  private final int maxInFlight;

  private RpcConfig(String host, int port, Duration deadline, int maxFrameBytes,
      List<Class<?>> registered, Consumer<Throwable> uncaughtErrorHandler,
      Duration heartbeatInterval, Duration closeGrace, byte[] secret, Tls tls, int maxInFlight) {
    this.host = host;
    this.port = port;
    this.deadline = deadline;
    this.maxFrameBytes = maxFrameBytes;
    this.registered = registered;
    this.uncaughtErrorHandler = uncaughtErrorHandler;
    this.heartbeatInterval = heartbeatInterval;
    this.closeGrace = closeGrace;
    this.secret = secret;
    this.tls = tls;
    this.maxInFlight = maxInFlight;
  }

  /** Listens on a free port of 127.0.0.1, with all defaults. */
  public static RpcConfig defaults() {
    return new RpcConfig("127.0.0.1", 0, DEFAULT_DEADLINE, DEFAULT_MAX_FRAME_BYTES, List.of(),
        null, Duration.ofSeconds(5), Duration.ofSeconds(5), new byte[0], null, DEFAULT_MAX_IN_FLIGHT);
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
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, closeGrace, secret, tls, maxInFlight);
  }

  /**
   * Binds to this host address; it is also the host of the process's {@link ProcessId}.
   * The default, 127.0.0.1, accepts only local peers.
   */
  public RpcConfig withHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host : '' (expected: a host name or address)");
    }
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, closeGrace, secret, tls, maxInFlight);
  }

  /**
   * The deadline of calls that set none themselves.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConfig withDeadline(Duration deadline) {
    return new RpcConfig(host, port, positive("deadline", deadline), maxFrameBytes, registered,
        uncaughtErrorHandler, heartbeatInterval, closeGrace, secret, tls, maxInFlight);
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
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, closeGrace, secret, tls, maxInFlight);
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
    return new RpcConfig(host, port, deadline, maxFrameBytes,
        Collections.unmodifiableList(all), uncaughtErrorHandler, heartbeatInterval, closeGrace, secret, tls, maxInFlight);
  }

  /**
   * Where the process reports what its callbacks throw, and failures of calls that have no
   * error callback. Runs on the process. The default logs them at WARN.
   */
  public RpcConfig onUncaughtError(Consumer<Throwable> handler) {
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered,
        Objects.requireNonNull(handler, "handler"), heartbeatInterval, closeGrace, secret, tls, maxInFlight);
  }

  /**
   * How often an idle connection is probed with PING; a peer that has not answered within two
   * intervals is taken for gone and its pending calls fail with
   * {@link PeerUnavailableException}.
   */
  public RpcConfig withHeartbeat(Duration interval) {
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        positive("heartbeat", interval), closeGrace, secret, tls, maxInFlight);
  }

  /** How long {@code close()} lets running handlers finish before failing what is left. */
  public RpcConfig withCloseGrace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("close grace : " + grace + " (expected: >= 0)");
    }
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, grace, secret, tls, maxInFlight);
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
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, closeGrace, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), tls,
        maxInFlight);
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
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, closeGrace, secret, new Tls(Objects.requireNonNull(keys, "keys"),
            Objects.requireNonNull(trust, "trust"), mutual), maxInFlight);
  }

  /**
   * The most calls in flight on one connection, each way. As a caller, a process refuses a call
   * beyond it at once with an {@link OverloadedException}. As a callee, a process that has this
   * many requests from one peer running stops reading from that peer until half have ended, so
   * TCP slows the peer down. Either way a flood slows or refuses callers; it does not exhaust
   * memory.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConfig withMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight : " + maxInFlight + " (expected: > 0)");
    }
    return new RpcConfig(host, port, deadline, maxFrameBytes, registered, uncaughtErrorHandler,
        heartbeatInterval, closeGrace, secret, tls, maxInFlight);
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
    return "RpcConfig{" + host + ":" + port + ", deadline=" + deadline + ", maxFrameBytes="
        + maxFrameBytes + ", registered=" + registered.size()
        + (secret.length > 0 ? ", secret=<set>" : "") + (tls != null ? ", tls" : "") + "}";
  }
}
