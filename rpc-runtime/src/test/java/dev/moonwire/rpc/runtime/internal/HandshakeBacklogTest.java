package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import dev.moonwire.rpc.testing.RawPeer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Frames queued on a connection before the peer's HELLO wait because this side holds them (a
 * call with headers must learn whether the peer reads them), not because the peer does not
 * read: however many pile up, the HELLO that releases them must still be read.
 */
class HandshakeBacklogTest extends ProcessTestSupport {
  /** Puts a header on every call, so that calls wait for the peer's HELLO. */
  private static final RpcObserver TRACING = new RpcObserver() {
    @Override
    public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
      headers.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      return null;
    }
  };

  @Test
  void cancelsQueuedBeforeThePeersHello_pastTheBacklogLimit_doNotStopItsHelloBeingRead()
      throws Exception {
    // a budget of 1 MiB: a peer may leave 256 KiB unread
    RpcProcess client = open(RpcConfig.defaults().withObserver(TRACING)
        .withDeadline(Duration.ofMillis(300)).withHandshakeTimeout(Duration.ofSeconds(30))
        .withMaxQueuedBytes(1 << 20));
    int calls = 400; // 400 KiB of requests, past those 256 KiB
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ProcessId peerId = ProcessId.of("127.0.0.1", listener.getLocalPort());
      List<RpcException> failed = new CopyOnWriteArrayList<>();
      var call = client.async(peerId, "take", v -> { }, failed::add);
      for (int i = 0; i < calls; i++) {
        call.call((Object) new byte[1024]);
      }

      try (Socket s = listener.accept(); RawPeer peer = RawPeer.over(s)) {
        s.setSoTimeout(5_000);
        assertEquals(RawPeer.HELLO, peer.readFrame()[0]);
        // every call passes its deadline while it waits for the HELLO: a CANCEL each
        await().atMost(Duration.ofSeconds(10)).until(() -> failed.size() == calls);
        assertEquals(calls, failed.stream()
            .filter(e -> e instanceof DeadlineExceededException).count());
        peer.writeFrame(RawPeer.hello());
        peer.writeFrame(RawPeer.emptySchema());
        peer.flush();

        int requests = 0;
        int cancels = 0;
        while (cancels < calls) { // a read timeout here: the client stopped reading
          byte kind = peer.readFrame()[0];
          if (kind == RawPeer.REQUEST) {
            requests++;
          } else if (kind == RawPeer.CANCEL) {
            cancels++;
          }
        }
        assertEquals(calls, requests);
      }
    }
  }
}
