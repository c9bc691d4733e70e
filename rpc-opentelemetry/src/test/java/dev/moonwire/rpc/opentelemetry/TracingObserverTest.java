package dev.moonwire.rpc.opentelemetry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TracingObserver over real processes, its spans read from the SDK's in-memory exporter. */
class TracingObserverTest extends ProcessTestSupport {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetry otel = OpenTelemetrySdk.builder()
      .setTracerProvider(tracerProvider)
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();

  @AfterEach
  void closeTracing() {
    tracerProvider.close();
  }

  private RpcProcess traced() {
    return open(RpcConfig.defaults().withObserver(new TracingObserver(otel)));
  }

  private SpanData span(String name, SpanKind kind) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name) && s.getKind() == kind)
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " span " + name
            + " in " + exporter.getFinishedSpanItems()));
  }

  private void awaitSpans(int n) {
    await().atMost(Duration.ofSeconds(5))
        .until(() -> exporter.getFinishedSpanItems().size() >= n);
  }

  @Test
  void nestedCalls_formOneTrace_eachSpanTheChildOfTheOneThatMadeIt() {
    RpcProcess a = traced();
    RpcProcess b = traced();
    RpcProcess c = traced();
    c.export("inner", args -> "inner of " + args.stringAt(0));
    b.export("outer", args -> {
      Rpc.sleep(Duration.ofMillis(5)); // the server span stays current across a suspension
      return c.sync(c.id(), "inner").call(args.stringAt(0)) + " via b";
    });

    Span root = otel.getTracer("test").spanBuilder("request").startSpan();
    try (Scope ignored = root.makeCurrent()) {
      assertEquals("inner of x via b", a.sync(b.id(), "outer").call("x"));
    } finally {
      root.end();
    }

    awaitSpans(5);
    SpanData outerClient = span("outer", SpanKind.CLIENT);
    SpanData outerServer = span("outer", SpanKind.SERVER);
    SpanData innerClient = span("inner", SpanKind.CLIENT);
    SpanData innerServer = span("inner", SpanKind.SERVER);
    String trace = root.getSpanContext().getTraceId();
    for (SpanData s : List.of(outerClient, outerServer, innerClient, innerServer)) {
      assertEquals(trace, s.getTraceId(), s.getName() + " " + s.getKind() + " in the trace");
    }
    assertEquals(root.getSpanContext().getSpanId(), outerClient.getParentSpanId());
    assertEquals(outerClient.getSpanId(), outerServer.getParentSpanId());
    assertEquals(outerServer.getSpanId(), innerClient.getParentSpanId());
    assertEquals(innerClient.getSpanId(), innerServer.getParentSpanId());
    assertTrue(outerServer.getParentSpanContext().isRemote(), "extracted from the headers");

    var client = outerClient.getAttributes();
    assertEquals("moonwire", client.get(TracingObserver.RPC_SYSTEM_NAME));
    assertEquals("outer", client.get(TracingObserver.RPC_METHOD));
    assertEquals(b.id().host(), client.get(TracingObserver.SERVER_ADDRESS));
    assertEquals((long) b.id().port(), client.get(TracingObserver.SERVER_PORT));
    assertEquals("OK", client.get(TracingObserver.RPC_STATUS));
    var server = outerServer.getAttributes();
    assertEquals((long) b.id().port(), server.get(TracingObserver.SERVER_PORT));
    assertEquals(a.id().host(), server.get(TracingObserver.CLIENT_ADDRESS));
    assertEquals(StatusCode.UNSET, outerServer.getStatus().getStatusCode());
  }

  @Test
  void aFutureCallFromAHandler_isAChildToo() {
    RpcProcess a = traced();
    RpcProcess b = traced();
    b.export("leaf", args -> "leaf");
    b.export("branch", args -> Rpc.future(b.id(), "leaf").call().join() + "!");

    assertEquals("leaf!", a.sync(b.id(), "branch").call());

    awaitSpans(4);
    assertEquals(span("branch", SpanKind.SERVER).getSpanId(),
        span("leaf", SpanKind.CLIENT).getParentSpanId());
    assertEquals(span("branch", SpanKind.CLIENT).getTraceId(),
        span("leaf", SpanKind.SERVER).getTraceId());
  }

  @Test
  void failures_areRecordedWithTheirKind_errorsOfTheCalleeOnBothSides() {
    RpcProcess a = traced();
    RpcProcess b = traced();
    b.export("boom", args -> {
      throw new IllegalStateException("no");
    });

    assertThrows(RemoteInvocationException.class, () -> a.sync(b.id(), "boom").call());
    assertThrows(NoSuchFunctionException.class, () -> a.sync(b.id(), "nope").call());

    awaitSpans(4);
    for (SpanKind kind : List.of(SpanKind.CLIENT, SpanKind.SERVER)) {
      SpanData boom = span("boom", kind);
      assertEquals(StatusCode.ERROR, boom.getStatus().getStatusCode(), kind + " boom");
      assertEquals("REMOTE_INVOCATION", boom.getAttributes().get(TracingObserver.ERROR_TYPE));
      assertEquals("REMOTE_INVOCATION", boom.getAttributes().get(TracingObserver.RPC_STATUS));
    }
    SpanData unknown = span("moonwire", SpanKind.SERVER);
    assertEquals("_OTHER", unknown.getAttributes().get(TracingObserver.RPC_METHOD));
    assertEquals("nope", unknown.getAttributes().get(TracingObserver.RPC_METHOD_ORIGINAL));
    assertEquals("NO_SUCH_FUNCTION", span("nope", SpanKind.CLIENT).getAttributes()
        .get(TracingObserver.ERROR_TYPE));
  }

  @Test
  void aRequestWithoutHeaders_startsATraceOfItsOwn() {
    RpcProcess untraced = open();
    RpcProcess b = traced();
    b.export("ping", args -> "pong");

    Span root = otel.getTracer("test").spanBuilder("request").startSpan();
    try (Scope ignored = root.makeCurrent()) {
      assertEquals("pong", untraced.sync(b.id(), "ping").call());
    } finally {
      root.end();
    }

    awaitSpans(2);
    SpanData server = span("ping", SpanKind.SERVER);
    assertFalse(server.getParentSpanContext().isValid(), "no parent: a new trace");
    assertNotEquals(root.getSpanContext().getTraceId(), server.getTraceId());
  }

  @Test
  void withMetricsToo_throughRpcObserverAll_bothSeeEveryCall() {
    CompletableFuture<String> counted = new CompletableFuture<>();
    RpcObserver counting = new RpcObserver() {
      @Override
      public Call clientCall(dev.moonwire.rpc.ProcessId peer, String function,
          dev.moonwire.rpc.CallHeaders headers) {
        return (outcome, nanos, out, in) -> counted.complete(function + " " + outcome);
      }
    };
    RpcProcess a = open(RpcConfig.defaults()
        .withObserver(RpcObserver.all(counting, new TracingObserver(otel))));
    RpcProcess b = traced();
    b.export("ping", args -> "pong");

    assertEquals("pong", a.sync(b.id(), "ping").call());

    awaitSpans(2);
    assertEquals(span("ping", SpanKind.CLIENT).getSpanId(),
        span("ping", SpanKind.SERVER).getParentSpanId());
    assertEquals("ping null", counted.join());
  }

  /** A propagator whose header name has capitals, as B3's and X-Ray's do. */
  private static final ContextKey<String> REQUEST_ID = ContextKey.named("request-id");

  private static final TextMapPropagator CAPITALS = new TextMapPropagator() {
    @Override
    public Collection<String> fields() {
      return List.of("X-Request-Id");
    }

    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
      String id = context.get(REQUEST_ID);
      if (id != null) {
        setter.set(carrier, "X-Request-Id", id);
      }
    }

    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
      String id = getter.get(carrier, "X-Request-Id");
      return id == null ? context : context.with(REQUEST_ID, id);
    }
  };

  @Test
  void aPropagatorWithCapitalsInItsHeaderNames_stillCarriesItsContext() {
    OpenTelemetry capitals = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(CAPITALS)).build();
    RpcProcess a = open(RpcConfig.defaults().withObserver(new TracingObserver(capitals)));
    RpcProcess b = open(RpcConfig.defaults().withObserver(new TracingObserver(capitals)));
    b.export("whoAsks", args -> Context.current().get(REQUEST_ID));

    try (Scope ignored = Context.current().with(REQUEST_ID, "r-42").makeCurrent()) {
      assertEquals("r-42", a.sync(b.id(), "whoAsks").call());
    }
  }

  @Test
  void readmeSnippet_compilesAndTraces() {
    OpenTelemetry openTelemetry = otel; // from your SDK set-up, or GlobalOpenTelemetry.get()
    RpcProcess p = Rpc.open(RpcConfig.defaults()
        .withObserver(new TracingObserver(openTelemetry)));
    try {
      p.export("hello", args -> "hi");
      assertEquals("hi", p.sync(p.id(), "hello").call());
      awaitSpans(2);
    } finally {
      p.close();
    }
  }
}
