package dev.moonwire.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DESIGN §1's snippet, as written (but for a free port), behaving as its comments say. */
class DesignSnippetTest {
  public interface Calculator {
    int add(int a, int b);
  }

  private final int currentValue = 17;
  private final List<Integer> registered = new ArrayList<>(); // touched by me's events only
  private final List<Integer> averaged = new ArrayList<>();
  private final List<RpcProcess> open = new ArrayList<>();

  private void register(Object value) {
    registered.add((Integer) value);
  }

  private void avrg(int value) {
    averaged.add(value);
  }

  @AfterEach
  void close() {
    open.forEach(RpcProcess::close);
  }

  @Test
  void designSnippet_allThreeStyles() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // server program — a process: one event loop, one listening port, a table of exported functions
    RpcProcess server = Rpc.open(RpcConfig.port(port));
    server.export("getValue", args -> currentValue);
    server.export(Calculator.class, (a, b) -> a + b);
    open.add(server);

    // client program (here in the same JVM, so it runs as an event of its own process)
    RpcProcess me = Rpc.open(RpcConfig.defaults());          // port 0 = any free port
    open.add(me);
    ProcessId p = ProcessId.of("127.0.0.1", port);
    List<ProcessId> servers = List.of(p, me.id());
    me.export("getValue", args -> 3);
    CompletableFuture<int[]> results = new CompletableFuture<>();

    me.execute(() -> {
      try {
        results.complete(clientProgram(p, servers));
      } catch (Exception e) {
        results.completeExceptionally(e);
      }
    });

    assertEquals(List.of(17, 3, 17), List.of(results.get(30, TimeUnit.SECONDS)[0],
        results.get()[1], results.get()[2]));
    CompletableFuture<List<List<Integer>>> seen = new CompletableFuture<>();
    org.awaitility.Awaitility.await().until(() -> {
      CompletableFuture<Integer> n = new CompletableFuture<>();
      me.execute(() -> n.complete(registered.size() + averaged.size()));
      return n.get() == 3;
    });
    me.execute(() -> seen.complete(List.of(List.copyOf(registered),
        averaged.stream().sorted().toList())));
    assertEquals(List.of(List.of(17), List.of(3, 17)), seen.get(30, TimeUnit.SECONDS));
  }

  /** The client lines of the snippet, verbatim. */
  private int[] clientProgram(ProcessId p, List<ProcessId> servers) throws Exception {
    // asynchronous: returns a function value; calling it sends the request
    RemoteFunction get = Rpc.async(p, "getValue", value -> register(value));
    get.call();

    // several servers at once: the callback runs once per reply (seed 001's averaging loop)
    Rpc.async(servers, "getValue", this::avrg).call();

    // synchronous: suspends the calling virtual thread; other events of this process run meanwhile
    int v = Rpc.sync(p, "getValue").call();
    Calculator calc = Rpc.sync(p, Calculator.class);          // proxy: calc.add(1, 2) is a remote call

    // futures: wait-by-necessity
    RpcFuture<Integer> f = Rpc.future(p, "getValue").call();
    int w = f.get();                                          // suspends only if not yet there
    return new int[] {v, calc.add(1, 2), w};
  }
}
