package dev.moonwire.rpc.testing;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProcessStats;
import dev.moonwire.rpc.RpcProcess;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a process's {@link ProcessStats} every millisecond on a thread of its own and keeps the
 * highest figures seen, so that a test can check a bound held throughout an attack, not only at
 * the moments it looked.
 */
public final class StatsSampler implements AutoCloseable {
  private final RpcProcess process;
  private final ProcessId peer;
  private final AtomicLong maxInbound = new AtomicLong();
  private final AtomicLong maxQueued = new AtomicLong();
  private final AtomicLong maxQueuedInAll = new AtomicLong();
  private volatile boolean stopped;
  private volatile boolean everPaused;
  private final Thread thread;

  /** Samples {@code process}; {@code peer}'s connections are watched one by one. */
  public StatsSampler(RpcProcess process, ProcessId peer) {
    this.process = process;
    this.peer = peer;
    this.thread = Thread.ofPlatform().daemon().name("stats-sampler").start(this::run);
  }

  private void run() {
    while (!stopped) {
      ProcessStats s = process.stats();
      maxInbound.accumulateAndGet(s.inboundBytes(), Math::max);
      long all = 0;
      for (ProcessStats.Connection c : s.connections()) {
        all += c.queuedBytes();
        if (peer.equals(c.peer())) {
          maxQueued.accumulateAndGet(c.queuedBytes(), Math::max);
          if (c.readingPaused()) {
            everPaused = true;
          }
        }
      }
      maxQueuedInAll.accumulateAndGet(all, Math::max);
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Whether reading from the watched peer was seen paused. */
  public boolean everPaused() {
    return everPaused;
  }

  /** The most inbound bytes (work and unwritten answers) the process held at once. */
  public long maxInbound() {
    return maxInbound.get();
  }

  /** The most bytes queued to the watched peer on one connection. */
  public long maxQueued() {
    return maxQueued.get();
  }

  /** The most bytes queued on all connections together. */
  public long maxQueuedInAll() {
    return maxQueuedInAll.get();
  }

  /** The watched peer's connection as of now, or null if it has none. */
  public ProcessStats.Connection connection() {
    return process.stats().connections().stream().filter(c -> peer.equals(c.peer()))
        .findFirst().orElse(null);
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.join();
  }
}
