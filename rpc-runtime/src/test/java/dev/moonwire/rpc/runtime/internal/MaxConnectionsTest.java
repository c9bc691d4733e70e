package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** DESIGN §6: the number of connections counts against a limit too (issue 21, item 5). */
class MaxConnectionsTest extends ProcessTestSupport {

  /** Calls and returns what the call ended with: the value, or the RpcException. */
  private static Object outcome(RpcProcess client, RpcProcess server) throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    client.async(server.id(), "hi", f::complete, f::complete).call();
    return get(f);
  }

  @Test
  void aConnectionOverTheLimit_isRefused_itsCallsFailOverloaded_andTheOthersAreServed()
      throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxConnections(2));
    server.export("hi", a -> "hi");
    RpcProcess first = open();
    RpcProcess second = open();
    assertEquals("hi", outcome(first, server));
    assertEquals("hi", outcome(second, server));
    RpcProcess third = open();

    OverloadedException e = assertInstanceOf(OverloadedException.class, outcome(third, server));

    assertTrue(e.getMessage().contains("withMaxConnections")
        && e.getMessage().contains("did not run"), e.getMessage());
    assertEquals(1, ((RuntimeProcess) server).diagnostics().refusedConnections());
    assertEquals("hi", outcome(first, server), "the others are still served");
    assertEquals(2, server.stats().connections().size());

    second.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections().size() == 1);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
        .until(() -> "hi".equals(outcome(third, server)));
  }

  @Test
  void aRawPeerOverTheLimit_readsAnOverloadedErrorBeforeAnyHello() throws Exception {
    RpcProcess server = open(RpcConfig.defaults().withMaxConnections(1));
    server.export("hi", a -> "hi");
    RpcProcess client = open();
    assertEquals("hi", outcome(client, server));

    try (Socket s = new Socket(server.id().host(), server.id().port())) {
      s.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] frame = new byte[in.readInt()];
      in.readFully(frame);

      Message m = Frames.decode(Unpooled.wrappedBuffer(frame));
      Message.Failure error = assertInstanceOf(Message.Failure.class, m);
      assertInstanceOf(OverloadedException.class, error.toException("connect"));
      assertEquals(-1, in.read(), "then the server closes its side");
    }
    assertEquals("hi", outcome(client, server));
    await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections().size() == 1);
  }
}
