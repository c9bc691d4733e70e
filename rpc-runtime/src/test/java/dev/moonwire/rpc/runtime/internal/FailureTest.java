package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.testing.ProcessTestSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.testing.Causes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DESIGN §5, the failures the asynchronous core must already get right. */
class FailureTest extends ProcessTestSupport {

  /** Calls and returns what the call ended with: the value, or the RpcException. */
  private static Object outcome(RpcProcess client, ProcessId target, String fn, Object... args)
      throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    client.async(target, fn, f::complete, f::complete).call(args);
    return get(f);
  }

  static final class Broken extends RuntimeException {
    Broken(String m) {
      super(m);
    }
  }

  @Test
  void handlerThrows_callerGetsRemoteInvocationWithClassMessageAndStack() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("explode", args -> {
      throw new Broken("no value today");
    });

    var e = assertInstanceOf(RemoteInvocationException.class,
        outcome(client, server.id(), "explode"));

    assertEquals(Broken.class.getName(), e.remoteClass());
    assertEquals("no value today", e.remoteMessage());
    assertTrue(e.remoteStack().contains("FailureTest"), e.remoteStack());
    assertEquals(RpcException.Kind.REMOTE_INVOCATION, e.kind());
    // the server goes on serving
    server.export("ok", args -> "fine");
    assertEquals("fine", outcome(client, server.id(), "ok"));
  }

  @Test
  void unknownFunction_callerGetsNoSuchFunctionNamingIt() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();

    var e = assertInstanceOf(NoSuchFunctionException.class,
        outcome(client, server.id(), "getVaule"));

    assertTrue(e.getMessage().contains("'getVaule'"), e.getMessage());
  }

  @Test
  void wrongNumberOfArguments_callerGetsBadArgumentsNamingFunction() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("add", args -> args.expect(2).intAt(0) + args.intAt(1));

    var e = assertInstanceOf(BadArgumentsException.class,
        outcome(client, server.id(), "add", 1));

    assertTrue(e.getMessage().contains("'add'") && e.getMessage().contains("expected: 2"),
        e.getMessage());
  }

  @Test
  void wrongArgumentType_callerGetsBadArgumentsNamingPosition() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("add", args -> args.intAt(0) + args.intAt(1));

    var e = assertInstanceOf(BadArgumentsException.class,
        outcome(client, server.id(), "add", 1, "two"));

    assertTrue(e.getMessage().contains("argument 1 is a String (expected: an int)"),
        e.getMessage());
  }

  static final class NotRegistered {
    int x = 1;
  }

  @Test
  void unregisteredArgument_failsAtCallerBeforeSending_namingClassAndHowToRegister()
      throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    AtomicInteger reached = new AtomicInteger();
    server.export("take", args -> reached.incrementAndGet());

    var e = assertInstanceOf(SerializationException.class,
        outcome(client, server.id(), "take", new NotRegistered()));

    assertTrue(e.getMessage().contains(NotRegistered.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("RpcConfig.register("), e.getMessage());
    // nothing reached the wire: no connection was even opened
    assertEquals(0, reached.get());
    assertEquals(0, ((RuntimeProcess) client).diagnostics().connectionCount(), "a connection was opened");
  }

  @Test
  void unregisteredResult_callerGetsSerializationNamingTheClass() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("give", args -> new NotRegistered());

    var e = assertInstanceOf(SerializationException.class, outcome(client, server.id(), "give"));

    assertTrue(e.getMessage().contains(NotRegistered.class.getName()), e.getMessage());
  }

  @Test
  void frameOverLimit_failsAtSenderWithClearError() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxFrameBytes(4096));
    RpcProcess client = open(RpcConfig.defaults().withMaxFrameBytes(4096));
    server.export("take", args -> args.size());

    var e = assertInstanceOf(SerializationException.class,
        outcome(client, server.id(), "take", new byte[10_000]));

    assertTrue(e.getMessage().contains("maxFrameBytes"), e.getMessage());
    assertEquals(1, outcome(client, server.id(), "take", new byte[100]));
  }

  @Test
  void nobodyListening_callerGetsPeerUnavailablePromptly() throws Exception {
    int freePort;
    try (ServerSocket s = new ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    RpcProcess client = open(); // default deadline: 30 s
    CompletableFuture<Object> f = new CompletableFuture<>();

    client.async(ProcessId.of("127.0.0.1", freePort), "getValue", f::complete, f::complete)
        .call();

    Object result = f.get(5, TimeUnit.SECONDS);
    var e = assertInstanceOf(PeerUnavailableException.class, result);
    assertTrue(e.getMessage().contains(String.valueOf(freePort)), e.getMessage());
  }

  @Test
  void deadlinePasses_callerGetsDeadlineExceeded() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    CompletableFuture<Void> release = new CompletableFuture<>();
    server.export("slow", args -> release.get());

    CompletableFuture<Object> f = new CompletableFuture<>();
    client.async(server.id(), "slow", f::complete, f::complete)
        .withDeadline(Duration.ofMillis(200)).call();

    assertInstanceOf(DeadlineExceededException.class, get(f));
    release.complete(null);
  }

  @Test
  void callbackThrows_isReportedAndProcessKeepsRunning() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("getValue", args -> 7);

    client.async(server.id(), "getValue", v -> {
      throw new IllegalStateException("callback broke");
    }).call();

    await().atMost(Duration.ofSeconds(20)).until(() -> uncaught.stream()
        .anyMatch(t -> "callback broke".equals(t.getMessage())));
    assertEquals(7, outcome(client, server.id(), "getValue"));
    assertEquals(1, takeUncaught().size());
  }

  @Test
  void failureWithoutErrorCallback_goesToUncaughtHandler() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();

    client.async(server.id(), "nothing", v -> { }).call();

    await().atMost(Duration.ofSeconds(20))
        .until(() -> uncaught.stream().anyMatch(t -> t instanceof NoSuchFunctionException));
    assertEquals(1, takeUncaught().size());
  }

  @Test
  void sendToAPortNobodyListensAt_isReportedToTheSendersUncaughtHandler() throws Exception {
    RpcProcess client = open();
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }

    client.send(dev.moonwire.rpc.ProcessId.of("127.0.0.1", port), "hello", 1);

    await().atMost(Duration.ofSeconds(20)).until(() -> !uncaught.isEmpty());
    Throwable t = takeUncaught().get(0);
    assertTrue(t instanceof dev.moonwire.rpc.PeerUnavailableException, t.toString());
    assertTrue(t.getMessage().contains("'hello'") && t.getMessage().contains(":" + port),
        t.getMessage());
  }

  @Test
  void sendToAFunctionThePeerDoesNotExport_isReportedToTheSender_notTheReceiver()
      throws Exception {
    RpcProcess receiver = open();
    receiver.export("known", args -> null);
    List<Throwable> sendersErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (RpcProcess sender = dev.moonwire.rpc.Rpc.open(
        dev.moonwire.rpc.RpcConfig.defaults().onUncaughtError(sendersErrors::add))) {
      for (int i = 0; i < 3; i++) {
        sender.send(receiver.id(), "unknwon", i);
      }
      sender.send(receiver.id(), "known", 1);

      await().atMost(Duration.ofSeconds(10)).until(() -> sender.stats().failedSends() == 3);
      await().atMost(Duration.ofSeconds(10)).until(() -> !sendersErrors.isEmpty());
      Throwable t = sendersErrors.get(0);
      assertTrue(t instanceof NoSuchFunctionException, t.toString());
      assertTrue(t.getMessage().contains("'unknwon'")
          && t.getMessage().contains(receiver.id().toString()), t.getMessage());
      assertTrue(uncaught.isEmpty(), "the receiver's handler saw " + uncaught);
      assertEquals(0, receiver.stats().failedSends());
    }
  }

  @Test
  void sendToItselfOfAnUnexportedFunction_isReportedAsNoSuchFunction() throws Exception {
    RpcProcess p = open();

    p.send(p.id(), "nothing", 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> !uncaught.isEmpty());
    Throwable t = takeUncaught().get(0);
    assertTrue(t instanceof NoSuchFunctionException && t.getMessage().contains("'nothing'"),
        t.toString());
    assertEquals(1, p.stats().failedSends());
  }

  @Test
  void pendingRegistry_isEmptyAfterSuccessesAndFailuresAlike() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("ok", args -> 1);
    server.export("bad", args -> {
      throw new Broken("x");
    });
    RpcProcess slowServer = open(); // its one event thread stays blocked: all its calls time out
    CompletableFuture<Void> never = new CompletableFuture<>();
    slowServer.export("slow", args -> never.get());
    AtomicInteger ended = new AtomicInteger();

    for (int i = 0; i < 300; i++) {
      String fn = switch (i % 4) {
        case 0 -> "ok";
        case 1 -> "bad";
        case 2 -> "missing";
        default -> "slow";
      };
      client.async(fn.equals("slow") ? slowServer.id() : server.id(), fn,
              v -> ended.incrementAndGet(), e -> ended.incrementAndGet())
          .withDeadline(Duration.ofMillis(fn.equals("slow") ? 100 : 20_000)).call();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> ended.get() == 300);
    assertEquals(0, client.pendingCalls());
    never.complete(null);
  }

  @Test
  void callAfterClose_failsWithProcessClosed() {
    RpcProcess client = open();
    client.close();
    org.junit.jupiter.api.Assertions.assertThrows(ProcessClosedException.class,
        () -> client.execute(() -> { }));
  }

  @Test
  void exportAfterClose_failsWithProcessClosed_andExportsNothing() {
    RpcProcess server = open();
    server.close();

    ProcessClosedException e = org.junit.jupiter.api.Assertions.assertThrows(
        ProcessClosedException.class, () -> server.export("late", args -> 1));
    assertTrue(e.getMessage().contains(server.id().toString()), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(ProcessClosedException.class,
        () -> server.export(Runnable.class, () -> { }));
    org.junit.jupiter.api.Assertions.assertThrows(ProcessClosedException.class,
        () -> server.export("p", Runnable.class, () -> { }));
    assertFalse(server.unexport("late"));
  }

  @Test
  void garbageFromAPeer_closesOnlyThatConnection_serverKeepsServing() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export("ok", args -> "fine");
    assertEquals("fine", outcome(client, server.id(), "ok"));

    try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.id().port())) {
      OutputStream out = raw.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = raw.getInputStream();
      raw.setSoTimeout(20_000);
      assertEquals(-1, readUntilClosed(in), "the server should drop the bad peer");
    }

    assertEquals("fine", outcome(client, server.id(), "ok"));
  }

  @Test
  void aPortInUse_andAPeerNotListening_failWithMoonwireAndJdkTypesOnly() throws Exception {
    RpcProcess first = open();

    var e = assertThrows(IllegalStateException.class,
        () -> open(RpcConfig.port(first.id().port())));

    assertTrue(e.getMessage().contains("cannot listen on"), e.getMessage());
    // Before: io.netty.channel.unix.Errors$NativeIoException as the cause.
    Causes.assertPublicTypesOnly(e);
    int free;
    try (var s = new java.net.ServerSocket(0)) {
      free = s.getLocalPort();
    }
    Object refused = outcome(first, ProcessId.of("127.0.0.1", free), "any");
    assertInstanceOf(PeerUnavailableException.class, refused);
    Causes.assertPublicTypesOnly((Throwable) refused);
  }

  @Test
  void frameOverLimitAtReceiver_failsOnlyThatCall() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxFrameBytes(4096));
    RpcProcess big = open(); // sends up to 16 MiB
    RpcProcess small = open();
    server.export("take", args -> args.size());

    assertInstanceOf(SerializationException.class,
        outcome(big, server.id(), "take", new byte[100_000]));

    assertEquals(1, outcome(small, server.id(), "take", new byte[10]));
    assertEquals(1, outcome(big, server.id(), "take", new byte[10]));
  }

  @Test
  void sharedSecret_sameOnBoth_works_otherwiseRefusedWithAClearReason() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withSecret("open sesame"));
    server.export("ok", args -> "fine");
    RpcProcess friend = open(RpcConfig.defaults().withSecret("open sesame"));
    RpcProcess stranger = open(RpcConfig.defaults().withSecret("guess"));
    RpcProcess anonymous = open();

    assertEquals("fine", outcome(friend, server.id(), "ok"));
    var wrong = assertInstanceOf(PeerUnavailableException.class,
        outcome(stranger, server.id(), "ok"));
    assertTrue(wrong.getMessage().contains("holds another shared secret"),
        wrong.getMessage());
    assertTrue(wrong.getMessage().contains("the call did not run: the handshake was refused"),
        wrong.getMessage());
    var none = assertInstanceOf(PeerUnavailableException.class,
        outcome(anonymous, server.id(), "ok"));
    assertTrue(none.getMessage().contains("requires a shared secret"), none.getMessage());
    var unguarded = assertInstanceOf(PeerUnavailableException.class,
        outcome(friend, anonymous.id(), "ok"));
    assertTrue(unguarded.getMessage().contains("has no shared secret"), unguarded.getMessage());
    assertEquals("fine", outcome(friend, server.id(), "ok"), "the server goes on serving");
  }

  private static int readUntilClosed(InputStream in) throws IOException {
    int b;
    do {
      b = in.read();
    } while (b != -1);
    return b;
  }
}
