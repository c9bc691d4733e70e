package dev.moonwire.rpc.runtime.internal.transport;


import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings that a peer can trigger — bad handshakes, protocol errors, refused work — rate-limited
 * so that an attack cannot flood the log: per process and kind, the first {@value #FULL} in a
 * {@value #WINDOW_SECONDS}-second window are logged in full (naming the peer), the rest are
 * counted and summed up in one line when the window ends, with the last peer seen.
 */
public final class PeerLog {
  private static final Logger log = LoggerFactory.getLogger(Loggers.PEERS);
  public static final int FULL = 5;
  public static final int WINDOW_SECONDS = 10;
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);

  private final Endpoint process;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong logged = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public PeerLog(Endpoint process) {
    this.process = process;
  }

  private final class Window {
    private final String kind;
    private long start = System.nanoTime();
    private int count;
    private int dropped;
    private Object lastPeer;
    private boolean flushScheduled;

    Window(String kind) {
      this.kind = kind;
    }

    synchronized boolean admit(Object peer) {
      long now = System.nanoTime();
      if (now - start >= WINDOW_NANOS) {
        flush();
        start = now;
        count = 0;
      }
      if (++count <= FULL) {
        return true;
      }
      dropped++;
      suppressed.incrementAndGet();
      lastPeer = peer;
      if (!flushScheduled) {
        flushScheduled = true;
        long left = Math.max(1, WINDOW_NANOS - (now - start));
        Transport.TIMER.newTimeout(t -> {
          synchronized (this) {
            flushScheduled = false;
            flush();
          }
        }, left, TimeUnit.NANOSECONDS);
      }
      return false;
    }

    /** Under the lock. */
    private void flush() {
      if (dropped > 0) {
        log.warn("{}: {} more {} warnings in the last {} s were not logged (last from {})",
            process.id(), dropped, kind, WINDOW_SECONDS, lastPeer);
        dropped = 0;
      }
    }
  }

  /** Logs {@code what} about {@code peer} at WARN, unless too many of {@code kind} came lately. */
  public void warn(String kind, Object peer, String what) {
    if (windows.computeIfAbsent(kind, Window::new).admit(peer)) {
      logged.incrementAndGet();
      log.warn("{}: {} from {}", process.id(), what, peer);
    }
  }

  /** Like {@link #warn}, with the cause's stack, at ERROR: for failures Moonwire did not expect. */
  public void error(String kind, Object peer, String what, Throwable cause) {
    if (windows.computeIfAbsent(kind, Window::new).admit(peer)) {
      logged.incrementAndGet();
      log.error("{}: {} ({})", process.id(), what, peer, cause);
    }
  }

  /** Warnings logged in full so far (for tests). */
  public long logged() {
    return logged.get();
  }

  /** Warnings counted but not logged (for tests). */
  public long suppressed() {
    return suppressed.get();
  }

  public static void warn(Endpoint process, String kind, Object peer, String what) {
    process.peerLog().warn(kind, peer, what);
  }
}
