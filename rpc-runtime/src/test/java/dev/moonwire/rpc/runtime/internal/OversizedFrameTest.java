package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Peers with different maxFrameBytes: a frame over the receiver's limit fails the one call it
 * belongs to, typed, saying truthfully whether it ran; the connection serves the next call.
 * (Before: the connection was closed with Netty's "Adjusted frame length exceeds" and every
 * call on it failed with "may or may not have run".)
 */
class OversizedFrameTest extends ProcessTestSupport {
  private static final RpcConfig SMALL = RpcConfig.defaults().withMaxFrameBytes(4096);

  private static Object call(RpcProcess from, ProcessId to, String function, Object... args)
      throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    from.async(to, function, f::complete, f::completeExceptionally).call(args);
    try {
      return f.get(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static Throwable failure(RpcProcess from, ProcessId to, String function,
      Object... args) {
    try {
      call(from, to, function, args);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("'" + function + "' succeeded");
  }

  @Test
  void aReplyOverTheCallersLimit_failsThatCall_whichRan_andTheConnectionStays() throws Exception {
    RpcProcess server = open();
    RpcProcess client = open(SMALL);
    server.export("big", a -> "x".repeat(10_000));
    server.export("small", a -> "ok");
    assertEquals("ok", call(client, server.id(), "small"));

    Throwable e = failure(client, server.id(), "big");

    assertInstanceOf(SerializationException.class, e);
    assertTrue(e.getMessage().contains("the result of 'big' from " + server.id()), e.getMessage());
    assertTrue(e.getMessage().contains("'big' ran there"), e.getMessage());
    assertEquals("ok", call(client, server.id(), "small"));
    assertEquals(1, ((RuntimeProcess) client).diagnostics().connectionCount(), "the same connection");
  }

  @Test
  void aRequestOverTheCalleesLimit_failsThatCall_whichDidNotRun_andTheConnectionStays()
      throws Exception {
    RpcProcess server = open(SMALL);
    RpcProcess client = open();
    int[] ran = new int[1];
    server.export("take", a -> ++ran[0]);
    assertEquals(1, call(client, server.id(), "take", "small"));

    Throwable e = failure(client, server.id(), "take", "y".repeat(10_000));

    assertInstanceOf(SerializationException.class, e);
    assertTrue(e.getMessage().contains("it did not run"), e.getMessage());
    assertEquals(2, call(client, server.id(), "take", "small"), "ran once more, not twice");
    assertEquals(1, ((RuntimeProcess) client).diagnostics().connectionCount(), "the same connection");
  }

  @Test
  void aOneWaySendOverTheCalleesLimit_isReportedToTheSender() throws Exception {
    RpcProcess server = open(SMALL);
    RpcProcess client = open();
    server.export("note", a -> null);

    client.send(server.id(), "note", "z".repeat(10_000));

    await().atMost(Duration.ofSeconds(10))
        .until(() -> ((RuntimeProcess) client).failedSends() == 1);
    assertEquals(null, call(client, server.id(), "note", "small"));
    assertTrue(takeUncaught().stream().anyMatch(t -> t.getMessage().contains("skipped")));
  }
}
