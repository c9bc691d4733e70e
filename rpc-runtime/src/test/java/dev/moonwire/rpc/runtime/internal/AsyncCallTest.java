package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.testing.ProcessTestSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AsyncCallTest extends ProcessTestSupport {

  @Test
  void processIds_crossTheWire_withoutRegistration() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    // what DALua does in every message: pass process ids, get them back
    server.export("whoElse", args -> List.of(server.id(), args.get(0)));
    CompletableFuture<List<ProcessId>> back = new CompletableFuture<>();

    client.<List<ProcessId>>async(server.id(), "whoElse", back::complete,
        back::completeExceptionally).call(client.id());

    assertEquals(List.of(server.id(), client.id()), get(back));
  }

  @Test
  void aProcessBoundToAllInterfaces_advertisesAnAddressPeersCanCall() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withHost("0.0.0.0")
        .withAdvertisedHost("127.0.0.1"));
    RpcProcess unadvertised = open(RpcConfig.defaults().withHost("0.0.0.0"));
    RpcProcess client = open();
    server.export("who", args -> "server");
    CompletableFuture<String> back = new CompletableFuture<>();

    client.<String>async(server.id(), "who", back::complete, back::completeExceptionally).call();

    assertEquals(ProcessId.of("127.0.0.1", server.id().port()), server.id());
    assertEquals("server", get(back));
    // Before: 0.0.0.0, an id no peer on another machine can call.
    assertFalse(unadvertised.id().host().equals("0.0.0.0"), unadvertised.id().toString());
  }

  @Test
  void asyncCall_reply_runsCallbackOnCallerProcessNotOnIoThread() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("getValue", args -> 42);
    CompletableFuture<String> where = new CompletableFuture<>();
    CompletableFuture<Integer> value = new CompletableFuture<>();

    client.<Integer>async(server.id(), "getValue", v -> {
      where.complete(Thread.currentThread().getName());
      assertSame(client, Processes.current());
      value.complete(v);
    }).call();

    assertEquals(42, get(value));
    assertFalse(get(where).startsWith("moonwire-io"), get(where));
  }

  @Test
  void asyncCall_withArguments_handlerSeesThemInOrder() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("concat", args -> args.stringAt(0) + args.intAt(1) + args.get(2, List.class));
    CompletableFuture<String> value = new CompletableFuture<>();

    client.<String>async(server.id(), "concat", value::complete).call("a", 1, List.of("x", "y"));

    assertEquals("a1[x, y]", get(value));
  }

  @Test
  void asyncCall_toSeveralServers_callbackRunsOncePerReplyWithDuplicatesRemoved()
      throws Exception {
    List<ProcessId> servers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int value = i * 10;
      RpcProcess s = open();
      s.export("getValue", args -> value);
      servers.add(s.id());
    }
    servers.add(servers.get(0)); // a duplicate: must be called once only
    RpcProcess client = open();
    List<Integer> replies = new ArrayList<>(); // touched only by client's events
    CompletableFuture<Double> average = new CompletableFuture<>();

    client.<Integer>async(servers, "getValue", v -> {
      replies.add(v);
      if (replies.size() == 3) {
        average.complete(replies.stream().mapToInt(Integer::intValue).average().orElseThrow());
      }
    }).call();

    assertEquals(20.0, get(average));
    client.execute(() -> assertEquals(3, replies.size()));
  }

  @Test
  void send_oneWay_runsTheFunctionOnEachTarget() throws Exception {
    RpcProcess a = open();
    RpcProcess b = open();
    RpcProcess client = open();
    CountDownLatch received = new CountDownLatch(2);
    a.export("note", args -> {
      received.countDown();
      return null;
    });
    b.export("note", args -> {
      received.countDown();
      return null;
    });

    client.send(List.of(a.id(), b.id(), a.id()), "note", "hello");

    assertTrue(received.await(20, TimeUnit.SECONDS));
  }

  @Test
  void asyncCall_toOwnProcess_goesThroughEventQueueNotNetwork() throws Exception {
    RuntimeProcess self = (RuntimeProcess) open();
    self.export("twice", args -> args.intAt(0) * 2);
    CompletableFuture<Integer> value = new CompletableFuture<>();

    self.<Integer>async(self.id(), "twice", value::complete).call(21);

    assertEquals(42, get(value));
    assertEquals(0, self.pendingCalls());
    self.execute(() -> { });
    assertEquals(0, self.diagnostics().connectionCount(), "no connection, in either direction");
  }

  @Test
  void remoteFunction_isAValue_callableManyTimesWithDifferentArguments() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("square", args -> args.intAt(0) * args.intAt(0));
    Map<Integer, Integer> squares = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(5);
    RemoteFunction square = client.<Integer>async(server.id(), "square", v -> {
      squares.put(v, v);
      done.countDown();
    });

    for (int i = 1; i <= 5; i++) {
      square.call(i);
    }

    assertTrue(done.await(20, TimeUnit.SECONDS));
    assertEquals(Map.of(1, 1, 4, 4, 9, 9, 16, 16, 25, 25), squares);
  }

  record Point(int x, int y) {}

  enum Color { RED, GREEN }

  @Test
  void registeredRecordsAndEnums_crossTheWire() throws Exception {
    RpcConfig config = RpcConfig.defaults().register(Point.class, Color.class);
    RpcProcess server = open(config);
    RpcProcess client = open(config);
    server.export("move", args -> {
      Point p = args.get(0, Point.class);
      return Map.of(args.get(1, Color.class), new Point(p.x() + 1, p.y() + 1));
    });
    CompletableFuture<Map<Color, Point>> value = new CompletableFuture<>();

    client.<Map<Color, Point>>async(server.id(), "move", value::complete)
        .call(new Point(1, 2), Color.GREEN);

    assertEquals(Map.of(Color.GREEN, new Point(2, 3)), get(value));
  }
}
