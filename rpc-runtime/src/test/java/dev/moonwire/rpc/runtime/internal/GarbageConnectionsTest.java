package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Connections that send garbage and reset, by the thousand: each costs the server only while it
 * is open. Nothing — the handshake timer above all — keeps a closed connection reachable, so
 * the heap and the descriptors come back to their baseline at once, and a legitimate client is
 * answered within a second throughout. (The full-size run, against a {@code -Xmx256m} server in
 * its own JVM: {@code dev.moonwire.benchmarks.GarbageConnections}.)
 */
class GarbageConnectionsTest extends ProcessTestSupport {

  @Test
  void connectionResetDuringItsHandshake_isCollectable_beforeTheHandshakeTimeout()
      throws Exception {
    RpcProcess server = open(); // the handshake timeout is 10 s
    RuntimeProcess s = (RuntimeProcess) server;
    Socket socket = new Socket(server.id().host(), server.id().port());
    await().atMost(Duration.ofSeconds(5)).until(() -> s.diagnostics().connectionCount() == 1);
    WeakReference<Object> conn = new WeakReference<>(s.diagnostics().connectionsNow().get(0));

    socket.setSoLinger(true, 0);
    socket.close(); // reset

    await().atMost(Duration.ofSeconds(5)).until(() -> s.diagnostics().connectionCount() == 0);
    await("the closed connection collected").atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          System.gc();
          return conn.get() == null;
        });
  }

  @Test
  void garbageConnectionsByTheThousand_leaveTheServerAnswering_andComeBackToBaseline()
      throws Exception {
    RpcProcess server = open();
    RuntimeProcess s = (RuntimeProcess) server;
    server.export("ping", a -> "pong");
    RpcProcess legit = open();
    ping(legit, server);
    int baseline = s.diagnostics().connectionCount();
    Object legitLink = s.diagnostics().connectionsNow().get(0);

    AtomicBoolean attacking = new AtomicBoolean(true);
    AtomicLong slowest = new AtomicLong();
    List<Throwable> pingFailures = new CopyOnWriteArrayList<>();
    Thread pinger = Thread.ofPlatform().daemon().start(() -> {
      while (attacking.get()) {
        long start = System.nanoTime();
        try {
          ping(legit, server);
        } catch (Throwable t) {
          pingFailures.add(t);
        }
        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
    });
    // the connections seen open during the attack: each must be collectable once closed
    List<WeakReference<Object>> seen = new ArrayList<>();
    Thread watcher = Thread.ofPlatform().daemon().start(() -> {
      while (attacking.get() && seen.size() < 500) {
        for (Object c : s.diagnostics().connectionsNow()) {
          if (c != legitLink) {
            seen.add(new WeakReference<>(c));
          }
        }
        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
      }
    });

    int threads = 4;
    int cases = 750; // per thread: 3,000 in all, half garbage and reset, half connect and close
    List<Thread> attackers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      attackers.add(Thread.ofPlatform().start(() -> attack(server.id().host(),
          server.id().port(), new Random(seed), cases)));
    }
    for (Thread t : attackers) {
      t.join();
    }
    watcher.join();

    await("connections back to the baseline").atMost(Duration.ofSeconds(10))
        .until(() -> s.diagnostics().connectionCount() == baseline);
    ping(legit, server); // and after
    attacking.set(false);
    pinger.join();
    assertEquals(List.of(), pingFailures);
    long slowestMillis = TimeUnit.NANOSECONDS.toMillis(slowest.get());
    assertTrue(slowestMillis < 1000, "the legitimate client waited " + slowestMillis + " ms");
    assertTrue(seen.size() > 10, "saw " + seen.size() + " connections open");
    await("every closed connection collected").atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          System.gc();
          return seen.stream().allMatch(r -> r.get() == null);
        });
  }

  /**
   * Opens {@code cases} connections: half write up to 200 random bytes (random length
   * prefixes; one in four shaped like a HELLO) and reset, half connect and close.
   */
  static void attack(String host, int port, Random random, int cases) {
    for (int i = 0; i < cases; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 5_000);
        if (i % 2 == 0) {
          socket.getOutputStream().write(garbage(random));
          socket.setSoLinger(true, 0);
        }
      } catch (IOException e) {
        // reset by the server first: as good
      }
    }
  }

  static byte[] garbage(Random random) {
    byte[] bytes = new byte[random.nextInt(201)];
    random.nextBytes(bytes);
    if (bytes.length >= 10 && random.nextInt(4) == 0) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      b.putInt(random.nextInt(300)).put((byte) 1).putInt(0x4D57_4952).put((byte) 2);
    }
    return bytes;
  }

  private static void ping(RpcProcess client, RpcProcess server) throws Exception {
    CompletableFuture<Object> pong = new CompletableFuture<>();
    client.async(server.id(), "ping", pong::complete, pong::completeExceptionally).call();
    assertEquals("pong", get(pong));
  }
}
