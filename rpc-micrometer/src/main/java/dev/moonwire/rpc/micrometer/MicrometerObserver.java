package dev.moonwire.rpc.micrometer;

import dev.moonwire.rpc.CallHeaders;
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
import java.util.concurrent.atomic.AtomicReferenceArray;

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
  private final Side client = new Side("client");
  private final Side server = new Side("server");

  /** Records into {@code registry}. */
  public MicrometerObserver(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

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

  /** The meters of one side, by function, made once each. */
  private final class Side {
    private final String name;
    private final ConcurrentHashMap<String, Meters> byFunction = new ConcurrentHashMap<>();

    Side(String name) {
      this.name = name;
    }

    /** The meters of {@code function}, or of "other" once {@link #MAX_FUNCTIONS} have some. */
    Meters of(String function) {
      Meters m = byFunction.get(function);
      if (m != null) {
        return m;
      }
      String tag = byFunction.size() < MAX_FUNCTIONS && function.length() <= MAX_NAME_LENGTH
          ? function : "other";
      return byFunction.computeIfAbsent(tag, t -> new Meters(name, t));
    }
  }

  /**
   * One function's meters on one side; its timers by outcome are made as outcomes occur. It is
   * also what each call of that function is told its end by: no object per call.
   */
  private final class Meters implements Call {
    private static final RpcException.Kind[] KINDS = RpcException.Kind.values();
    final String side;
    final boolean server;
    final String function;
    final Counter started;
    final DistributionSummary sent;
    final DistributionSummary rcvd;
    /** Index 0: OK; then each kind by ordinal + 1. */
    private final AtomicReferenceArray<Timer> durations =
        new AtomicReferenceArray<>(KINDS.length + 1);

    Meters(String side, String function) {
      this.side = side;
      this.server = side.equals("server");
      this.function = function;
      started = Counter.builder("moonwire." + side + ".call.started").tag("process", process)
          .tag("function", function).register(registry);
      sent = DistributionSummary.builder("moonwire." + side + ".call.sent_total_message_size")
          .baseUnit("bytes").tag("process", process).tag("function", function)
          .register(registry);
      rcvd = DistributionSummary.builder("moonwire." + side + ".call.rcvd_total_message_size")
          .baseUnit("bytes").tag("process", process).tag("function", function)
          .register(registry);
    }

    @Override
    public void ended(RpcException.Kind outcome, long nanos, long bytesOut, long bytesIn) {
      if (server) {
        serverInFlight.decrementAndGet();
      }
      sent.record((double) bytesOut);
      rcvd.record((double) bytesIn);
      duration(outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    // the ordinal only indexes this in-memory cache, sized from values(): never stored or sent
    @SuppressWarnings("EnumOrdinal")
    Timer duration(RpcException.Kind outcome) {
      int i = outcome == null ? 0 : outcome.ordinal() + 1;
      Timer t = durations.get(i);
      if (t == null) { // registering twice gives the same timer: a race costs a look-up
        t = Timer.builder("moonwire." + side + ".call.duration").tag("process", process)
            .tag("function", function).tag("outcome", outcome == null ? "OK" : outcome.name())
            .register(registry);
        durations.set(i, t);
      }
      return t;
    }
  }

  @Override
  public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
    Meters m = client.of(function);
    m.started.increment();
    return m;
  }

  @Override
  public Call serverCall(ProcessId peer, String function, CallHeaders headers) {
    Meters m = server.of(function);
    serverInFlight.incrementAndGet(); // after: ended() will take it back
    m.started.increment();
    return m;
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
