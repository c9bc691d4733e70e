package dev.moonwire.rpc.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade of the wire: a process whose observer puts call headers, calling a peer of
 * the Moonwire before headers (its HELLO has no features). The peer here is that older peer by
 * hand, byte for byte as it spoke.
 */
class OlderPeerTest extends ProcessTestSupport {
  /** Puts a trace header on every call, as a tracing observer would. */
  private static final RpcObserver TRACING = new RpcObserver() {
    @Override
    public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
      headers.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      return null;
    }
  };

  @Test
  void anOlderPeer_getsAPlainRequest_evenForACallMadeBeforeItsHello() throws Exception {
    assertEquals(RawPeer.REQUEST, kindOfRequestTo(RawPeer.hello()), "a plain REQUEST");
  }

  @Test
  void aPeerClaimingEveryFeature_stillGetsItsRequest_withItsHeaders() throws Exception {
    // a later version, or a hostile one, may set any bit: no value may hold requests back
    byte[] hello = java.util.Arrays.copyOf(RawPeer.hello(), RawPeer.hello().length + 4);
    java.nio.ByteBuffer.wrap(hello).putInt(hello.length - 4, 0xFFFF_FFFF);
    assertEquals(12, kindOfRequestTo(hello), "REQUEST_WITH_HEADERS");
  }

  /**
   * Calls a hand-made peer that says {@code hello} only once the call is queued, answers the
   * call, and returns the kind of the frame the call came in.
   */
  private byte kindOfRequestTo(byte[] hello) throws Exception {
    RpcProcess client = open(RpcConfig.defaults().withObserver(TRACING));
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ProcessId peerId = ProcessId.of("127.0.0.1", listener.getLocalPort());
      CompletableFuture<Object> result = new CompletableFuture<>();
      client.async(peerId, "greet", result::complete, result::completeExceptionally)
          .call("ana");

      try (Socket s = listener.accept(); RawPeer peer = RawPeer.over(s)) {
        assertEquals(RawPeer.HELLO, peer.readFrame()[0]);
        // The call is already queued: it must wait for this HELLO to learn what it may carry.
        peer.writeFrame(hello);
        peer.writeFrame(RawPeer.emptySchema());
        peer.flush();

        byte[] request = peer.readFrame();
        while (request[0] == RawPeer.SCHEMA) {
          request = peer.readFrame();
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(request, 1,
            request.length - 1));
        long callId = in.readLong();
        in.readLong(); // deadline
        byte[] function = new byte[in.readUnsignedShort()];
        in.readFully(function);
        assertEquals("greet", new String(function, java.nio.charset.StandardCharsets.UTF_8));

        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        DataOutputStream r = new DataOutputStream(reply);
        r.writeByte(RawPeer.REPLY);
        r.writeLong(callId);
        r.writeByte(0); // Kryo's null
        peer.writeFrame(reply.toByteArray());
        peer.flush();
        assertEquals(null, result.get(10, TimeUnit.SECONDS), "the peer's reply");
        return request[0];
      }
    }
  }
}
