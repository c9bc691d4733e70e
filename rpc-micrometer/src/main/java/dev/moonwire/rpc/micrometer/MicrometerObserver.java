package dev.moonwire.rpc.micrometer;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process's calls, connections and queue as Micrometer meters, named after gRPC's
 * (gRFC A66): install it with {@code RpcConfig.defaults().withObserver(new
 * MicrometerObserver(registry))}. One instance per process: its gauges and tags are that
 * process's, so a second process opened with the same instance is refused (logged) and its
 * calls would be counted as the first's.
 *
 * <table>
 *   <caption>Meters; every one is tagged {@code process} (its id, host:port)</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code moonwire.client.call.started}</td><td>counter</td><td>function</td></tr>
 *   <tr><td>{@code moonwire.client.call.duration}</td><td>timer</td><td>function, outcome</td></tr>
 *   <tr><td>{@code moonwire.client.call.sent_total_message_size}</td><td>summary (bytes)</td>
 *       <td>function</td></tr>
 *   <tr><td>{@code moonwire.client.call.rcvd_total_message_size}</td><td>summary (bytes)</td>
 *       <td>function</td></tr>
 *   <tr><td>{@code moonwire.server.call.started}</td><td>counter</td><td>function</td></tr>
 *   <tr><td>{@code moonwire.server.call.duration}</td><td>timer</td><td>function, outcome</td></tr>
 *   <tr><td>{@code moonwire.server.call.rcvd_total_message_size}</td><td>summary (bytes)</td>
 *       <td>function</td></tr>
 *   <tr><td>{@code moonwire.server.call.sent_total_message_size}</td><td>summary (bytes)</td>
 *       <td>function</td></tr>
 *   <tr><td>{@code moonwire.client.calls.in_flight}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moonwire.server.calls.in_flight}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moonwire.connections}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moonwire.events.queued}</td><td>gauge</td><td></td></tr>
 * </table>
 *
 * <p>{@code outcome} is {@code OK} or the failure's kind ({@code DEADLINE_EXCEEDED},
 * {@code NO_SUCH_FUNCTION}, ... as {@link RpcException.Kind} names them), like gRPC's
 * {@code grpc.status}. Sizes are whole frames. Its methods run on Moonwire's threads and only
 * update meters; the gauges are read when the registry is scraped.
 */
public final class MicrometerObserver implements RpcObserver {
  /**
   * How many distinct functions get meters of their own, per side; calls of others are tagged
   * {@code function=other}. Peers choose the names they call: the meters stay bounded.
   */
  public static final int MAX_FUNCTIONS = 1_000;
  /** Longer names than this are tagged {@code function=other} too. */
  public static final int MAX_NAME_LENGTH = 128;
  private final MeterRegistry registry;
  private final AtomicInteger serverInFlight = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile String process = "unopened";
  private final ConcurrentHashMap<String, Started> client = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Started> server = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();

  /** Records into {@code registry}. */
  public MicrometerObserver(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The meters of one side for one function, made once. */
  private record Started(Counter started, DistributionSummary sent, DistributionSummary rcvd) {}

  @Override
  public synchronized void opened(RpcProcess p) {
    if (!process.equals("unopened")) {
      throw new IllegalStateException("this MicrometerObserver already observes " + process
          + "; " + p.id() + " needs one of its own (expected: one instance per process)");
    }
    process = p.id().toString();
    Gauge.builder("moonwire.client.calls.in_flight", p, RpcProcess::pendingCalls)
        .description("calls this process made that have not ended").tag("process", process)
        .register(registry);
    Gauge.builder("moonwire.server.calls.in_flight", serverInFlight, AtomicInteger::get)
        .description("requests running in this process").tag("process", process)
        .register(registry);
    Gauge.builder("moonwire.connections", connections, AtomicInteger::get)
        .description("connections ready, both directions").tag("process", process)
        .register(registry);
    Gauge.builder("moonwire.events.queued", p, q -> q.stats().queuedEvents())
        .description("events waiting for their turn").tag("process", process)
        .register(registry);
  }

  /** {@code function}, or "other" once {@link #MAX_FUNCTIONS} have meters. */
  private String tag(String side, String function) {
    var known = side.equals("client") ? client : server;
    return known.containsKey(function)
        || known.size() < MAX_FUNCTIONS && function.length() <= MAX_NAME_LENGTH
        ? function : "other";
  }

  private Started meters(String side, String name) {
    String function = tag(side, name);
    var known = side.equals("client") ? client : server;
    return known.computeIfAbsent(function, k -> new Started(
        Counter.builder("moonwire." + side + ".call.started").tag("process", process)
            .tag("function", function).register(registry),
        DistributionSummary.builder("moonwire." + side + ".call.sent_total_message_size")
            .baseUnit("bytes").tag("process", process).tag("function", function)
            .register(registry),
        DistributionSummary.builder("moonwire." + side + ".call.rcvd_total_message_size")
            .baseUnit("bytes").tag("process", process).tag("function", function)
            .register(registry)));
  }

  private Timer duration(String side, String called, RpcException.Kind outcome) {
    String function = tag(side, called);
    String name = outcome == null ? "OK" : outcome.name();
    return durations.computeIfAbsent(side + function + '\0' + name, k ->
        Timer.builder("moonwire." + side + ".call.duration").tag("process", process)
            .tag("function", function).tag("outcome", name).register(registry));
  }

  @Override
  public void clientCallStarted(ProcessId peer, String function) {
    meters("client", function).started().increment();
  }

  @Override
  public void clientCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
      long nanos, long bytesSent, long bytesReceived) {
    Started m = meters("client", function);
    m.sent().record(bytesSent);
    m.rcvd().record(bytesReceived);
    duration("client", function, outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void serverCallStarted(ProcessId peer, String function) {
    serverInFlight.incrementAndGet();
    meters("server", function).started().increment();
  }

  @Override
  public void serverCallEnded(ProcessId peer, String function, RpcException.Kind outcome,
      long nanos, long bytesReceived, long bytesSent) {
    serverInFlight.decrementAndGet();
    Started m = meters("server", function);
    m.rcvd().record(bytesReceived);
    m.sent().record(bytesSent);
    duration("server", function, outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void connectionOpened(ProcessId peer) {
    connections.incrementAndGet();
  }

  @Override
  public void connectionClosed(ProcessId peer) {
    connections.decrementAndGet();
  }
}
