package dev.moonwire.rpc.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.runtime.internal.Processes;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FutureTest extends ProcessTestSupport {

  @Test
  void future_getOnPlainThread_blocksForTheValue() throws Exception {
    RpcProcess server = open();
    server.export("getValue", args -> 11);

    RpcFuture<Integer> f = open().future(server.id(), "getValue").call();

    assertEquals(11, f.get(20, TimeUnit.SECONDS));
    assertEquals(11, f.join());
  }

  @Test
  void future_waitByNecessity_insideHandler_severalCallsInParallel() {
    RpcProcess a = open();
    RpcProcess b = open();
    a.export("v", args -> 1);
    b.export("v", args -> 2);
    RpcProcess me = open();
    me.export("sum", args -> {
      RpcFuture<Integer> fa = Rpc.future(a.id(), "v").call();
      RpcFuture<Integer> fb = Rpc.future(b.id(), "v").call();
      return fa.get() + fb.join();
    });

    int sum = open().sync(me.id(), "sum").call();

    assertEquals(3, sum);
  }

  @Test
  void dependentActions_runOnTheCallersProcess() throws Exception {
    RpcProcess server = open();
    server.export("getValue", args -> 20);
    RpcProcess client = open();
    CompletableFuture<Object> where = new CompletableFuture<>();

    RpcFuture<Integer> f = client.future(server.id(), "getValue").call();
    var doubled = f.thenApply(v -> {
      where.complete(Processes.current());
      return v * 2;
    });

    assertEquals(40, doubled.toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertSame(client, get(where));
  }

  @Test
  void dependentActions_onAnAlreadyCompletedFuture_stillRunOnTheCallersProcess()
      throws Exception {
    RpcProcess server = open();
    server.export("getValue", args -> 5);
    RpcProcess client = open();
    RpcFuture<Integer> f = client.future(server.id(), "getValue").call();
    assertEquals(5, f.join()); // complete before anything is attached
    CompletableFuture<Object> where = new CompletableFuture<>();

    f.thenAccept(v -> where.complete(Processes.current()));
    f.whenComplete((v, e) -> { }).thenRun(() -> { });

    assertSame(client, get(where));
  }

  @Test
  void failedCall_completesExceptionallyWithTheTypedError() {
    RpcProcess server = open();
    RpcFuture<Object> f = open().future(server.id(), "missing").call();

    var e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    assertInstanceOf(NoSuchFunctionException.class, e.getCause());
    assertThrows(NoSuchFunctionException.class, f::join);
  }

  @Test
  void unserializableArgument_failsTheFutureBeforeSending() {
    RpcProcess server = open();
    RpcFuture<Object> f = open().future(server.id(), "x").call(new Object());

    assertTrue(f.isDone());
    assertThrows(SerializationException.class, f::join);
  }

  @Test
  void cancel_endsTheCallAndTellsTheCallee() throws Exception {
    RpcProcess server = open();
    CompletableFuture<Throwable> handlerSaw = new CompletableFuture<>();
    CompletableFuture<Void> started = new CompletableFuture<>();
    server.export("slow", args -> {
      started.complete(null);
      try {
        Rpc.sleep(Duration.ofSeconds(30));
        return "finished";
      } catch (CancelledException e) {
        handlerSaw.complete(e);
        throw e;
      }
    });
    RpcFuture<Object> f = open().future(server.id(), "slow").call();
    get(started);

    assertTrue(f.cancel(true));

    assertTrue(f.isCancelled());
    assertThrows(CancelledException.class, f::join);
    assertInstanceOf(CancelledException.class, get(handlerSaw));
  }

  @Test
  void timedGet_insideHandler_timesOutWithoutBlockingTheProcess() {
    RpcProcess server = open();
    server.export("slow", args -> {
      Rpc.sleep(Duration.ofSeconds(30));
      return 1;
    });
    RpcProcess me = open();
    me.export("try", args -> {
      RpcFuture<Object> f = Rpc.future(server.id(), "slow").call();
      try {
        return f.get(50, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        return "timed out";
      }
    });

    assertEquals("timed out", open().sync(me.id(), "try").call());
  }
}
