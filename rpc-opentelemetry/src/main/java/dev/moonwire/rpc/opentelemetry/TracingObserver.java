package dev.moonwire.rpc.opentelemetry;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Traces a process's calls with OpenTelemetry: install it with {@code
 * RpcConfig.defaults().withObserver(new TracingObserver(openTelemetry))}, one instance per
 * process.
 *
 * <p>Each call gets a {@link SpanKind#CLIENT} span at the caller, a child of the context
 * current on the calling thread, and a {@link SpanKind#SERVER} span at the callee. The trace
 * context travels in the request's headers, by the {@code OpenTelemetry}'s propagators (W3C
 * {@code traceparent} and {@code tracestate}, and {@code baggage} if configured). The server
 * span is current on the handler's thread while the handler runs, so the calls a handler makes
 * — synchronous calls, futures and proxies, across suspensions — are its children: nested calls
 * form one trace. Callbacks of asynchronous calls run later, as events of their own, without
 * it: a call made from a callback starts from whatever context is current there.
 *
 * <p>Spans follow OpenTelemetry's semantic conventions for RPC: named by the function
 * ({@code rpc.method}), with {@code rpc.system.name} = {@code moonwire},
 * {@code server.address} and {@code server.port} (the callee), {@code client.address} at the
 * callee, {@code rpc.response.status_code} ({@code OK} or the {@link RpcException.Kind} of the
 * failure) and {@code error.type} when it failed. A failed call is an error at the caller; at
 * the callee only failures of the callee are ({@link #SERVER_ERRORS}), not a caller's bad
 * arguments, cancellation or a refusal for load. A request for a function the callee does not
 * export is recorded as {@code rpc.method} = {@code _OTHER} with the name asked for in {@code
 * rpc.method_original}, and the span renamed {@code moonwire}: peers choose those names.
 *
 * <p>Header names are lower-cased ({@link CallHeaders} keys are), so propagators whose names
 * have capitals (B3, X-Ray) work too. Headers reach only peers that read them; a request from a
 * peer that sent none starts a new trace. A client span starts on the calling thread and ends
 * on whichever thread ends the call; a server span starts and ends on the handler's thread.
 * Nothing here blocks. {@code client.address} is the host the caller says it listens on.
 */
public final class TracingObserver implements RpcObserver {
  /** The instrumentation scope's name. */
  public static final String INSTRUMENTATION_NAME = "dev.moonwire.rpc";
  /** The value of {@code rpc.system.name}. */
  public static final String SYSTEM = "moonwire";

  static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<String> RPC_METHOD_ORIGINAL =
      AttributeKey.stringKey("rpc.method_original");
  static final AttributeKey<String> RPC_STATUS =
      AttributeKey.stringKey("rpc.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");

  /** The kinds that mark a server span as an error: failures of the callee, not the caller. */
  public static final Set<RpcException.Kind> SERVER_ERRORS = Collections.unmodifiableSet(
      EnumSet.of(RpcException.Kind.REMOTE_INVOCATION, RpcException.Kind.NO_SUCH_FUNCTION,
          RpcException.Kind.DEADLINE_EXCEEDED, RpcException.Kind.SERIALIZATION,
          RpcException.Kind.PEER_UNAVAILABLE, RpcException.Kind.PROCESS_CLOSED,
          RpcException.Kind.PROTOCOL));

  private static final TextMapSetter<CallHeaders> SETTER = (headers, key, value) -> {
    if (headers == null) {
      return;
    }
    try {
      headers.put(key.toLowerCase(Locale.ROOT), value); // B3's and X-Ray's names have capitals
    } catch (IllegalArgumentException e) {
      // over CallHeaders' bounds (a large baggage, say): that header stays behind, the call
      // and its span go on
    }
  };

  private static final TextMapGetter<CallHeaders> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(CallHeaders headers) {
      return headers == null ? List.of() : headers.keys();
    }

    @Override
    public String get(CallHeaders headers, String key) {
      return headers == null || key == null ? null : headers.get(key.toLowerCase(Locale.ROOT));
    }
  };

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private volatile ProcessId self;

  /** Traces with {@code openTelemetry}'s tracer provider and text-map propagator. */
  public TracingObserver(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /**
   * Takes the process's id for its server spans.
   *
   * @throws IllegalStateException (logged by the process, which goes on) if this instance
   *     already traces another process
   */
  @Override
  public synchronized void opened(RpcProcess process) {
    if (self != null) {
      throw new IllegalStateException("this TracingObserver already traces " + self + "; "
          + process.id() + " needs one of its own (expected: one instance per process)");
    }
    self = process.id();
  }

  @Override
  public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
    Context parent = Context.current();
    Span span = tracer.spanBuilder(function).setSpanKind(SpanKind.CLIENT).setParent(parent)
        .setAttribute(RPC_SYSTEM_NAME, SYSTEM)
        .setAttribute(RPC_METHOD, function)
        .setAttribute(SERVER_ADDRESS, peer.host())
        .setAttribute(SERVER_PORT, (long) peer.port())
        .startSpan();
    propagator.inject(parent.with(span), headers, SETTER);
    return new ClientSpan(span);
  }

  @Override
  public Call serverCall(ProcessId peer, String function, CallHeaders headers) {
    Context parent = propagator.extract(Context.root(), headers, GETTER);
    ProcessId here = self;
    var builder = tracer.spanBuilder(function).setSpanKind(SpanKind.SERVER).setParent(parent)
        .setAttribute(RPC_SYSTEM_NAME, SYSTEM)
        .setAttribute(RPC_METHOD, function)
        .setAttribute(CLIENT_ADDRESS, peer.host());
    if (here != null) {
      builder.setAttribute(SERVER_ADDRESS, here.host())
          .setAttribute(SERVER_PORT, (long) here.port());
    }
    Span span = builder.startSpan();
    return new ServerSpan(span, currentUntilEnded(parent.with(span)), function);
  }

  /**
   * The server span's scope stays open across the handler, suspensions included, and is closed
   * by {@code ServerSpan.ended} on the same thread: no try-with-resources can hold it.
   */
  @SuppressWarnings("MustBeClosedChecker")
  private static io.opentelemetry.context.Scope currentUntilEnded(Context context) {
    return context.makeCurrent();
  }

  private static void outcome(Span span, RpcException.Kind outcome, boolean error) {
    span.setAttribute(RPC_STATUS, outcome == null ? "OK" : outcome.name());
    if (outcome != null) {
      span.setAttribute(ERROR_TYPE, outcome.name());
      if (error) {
        span.setStatus(StatusCode.ERROR);
      }
    }
  }

  /** A call's client span, ended with the call (on whichever thread ends it). */
  private record ClientSpan(Span span) implements Call {
    @Override
    public void ended(RpcException.Kind outcome, long nanos, long bytesOut, long bytesIn) {
      outcome(span, outcome, true);
      span.end();
    }
  }

  /**
   * A request's server span, current on the handler's thread from its start to its end: both
   * run there (RpcObserver's contract), so the scope closes on the thread that opened it.
   */
  private record ServerSpan(Span span, Scope scope, String function) implements Call {
    @Override
    public void ended(RpcException.Kind outcome, long nanos, long bytesOut, long bytesIn) {
      scope.close();
      if (outcome == RpcException.Kind.NO_SUCH_FUNCTION) {
        span.updateName(SYSTEM);
        span.setAttribute(RPC_METHOD, "_OTHER");
        span.setAttribute(RPC_METHOD_ORIGINAL, function);
      }
      outcome(span, outcome, outcome != null && SERVER_ERRORS.contains(outcome));
      span.end();
    }
  }
}
