package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.Connection;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Fault injection for tests — not for normal use: with {@code -Dmoonwire.faults=SEED:MAXMS}
 * (read when a process opens, and passed on to spawned children), every request, send, reply
 * and error a process receives is held for a random 0..MAXMS ms before it is handled, so
 * frames of one connection overtake each other. With {@code SEED:MAXMS:DROP}, DROP percent of
 * the one-way sends it receives are lost, as a send refused on the way is (requests and replies
 * are not: TCP loses nothing, and a refused call fails at its caller). Each connection draws its delays from a
 * {@link Random} seeded with SEED and the peer's id, so a failing run can be replayed (as far as
 * thread timing allows).
 */
final class Faults {
  static final String PROPERTY = "moonwire.faults";

  private final long seed;
  private final int maxMillis;
  private final int dropPercent;
  private final EventLoop loop;
  private final Map<Connection, Random> randoms = new ConcurrentHashMap<>();

  private Faults(long seed, int maxMillis, int dropPercent, EventLoop loop) {
    this.seed = seed;
    this.maxMillis = maxMillis;
    this.dropPercent = dropPercent;
    this.loop = loop;
  }

  /** The faults the system property asks for, or null for none. */
  static Faults fromProperty(EventLoop loop) {
    String spec = System.getProperty(PROPERTY);
    if (spec == null || spec.isBlank()) {
      return null;
    }
    String[] parts = spec.split(":");
    try {
      return new Faults(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
          parts.length > 2 ? Integer.parseInt(parts[2]) : 0, loop);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(PROPERTY + " : '" + spec
          + "' (expected: SEED:MAXMS or SEED:MAXMS:DROPPERCENT)");
    }
  }

  /**
   * Routes {@code message} after a random delay, on the connections' event loop. The payload
   * is kept until then.
   */
  void delay(Connection conn, Message message, BiConsumer<Connection, Message> route) {
    Random random = randoms.computeIfAbsent(conn,
        c -> new Random(seed * 31 + String.valueOf(c.peer()).hashCode()));
    if (dropPercent > 0 && message instanceof Message.Send) {
      boolean lost;
      synchronized (random) {
        lost = random.nextInt(100) < dropPercent;
      }
      if (lost) {
        return; // its frame is released by the reader, as for any frame
      }
    }
    ByteBuf payload = switch (message) {
      case Message.Request r -> r.payload();
      case Message.Send s -> s.payload();
      case Message.Reply r -> r.payload();
      default -> null;
    };
    if (payload != null) {
      payload.retain();
    }
    int millis;
    synchronized (random) {
      millis = random.nextInt(maxMillis + 1);
    }
    loop.schedule(() -> {
      try {
        route.accept(conn, message);
      } finally {
        if (payload != null) {
          payload.release();
        }
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  /** A connection is gone. */
  void forget(Connection conn) {
    randoms.remove(conn);
  }
}
