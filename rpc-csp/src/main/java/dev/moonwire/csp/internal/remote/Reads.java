package dev.moonwire.csp.internal.remote;

import dev.moonwire.rpc.RpcProcess;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process's remote reads, by operation id: what it answers when an owner asks whether a
 * value it lent arrived ({@link Protocol#READS_STATUS}). A received id is remembered for
 * {@link #REMEMBER_NANOS} — long past the owner's first question — then forgotten, so the
 * table holds only recent reads.
 */
final class Reads {
  static final long REMEMBER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
  private static final Map<RpcProcess, Reads> BY_PROCESS = new WeakHashMap<>();

  /**
   * Operation ids start at a random point: the owner keys them by host and port, and a process
   * restarted at the same address must not reuse its previous run's ids (its loans and its
   * answers about them would be taken for the new run's).
   */
  private final AtomicLong ids = new AtomicLong(
      java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 2);
  /**
   * Operation id → {@link #PENDING}, or the nano time at which it was received; in the order
   * they were begun or received, so what is old enough to forget is at the head. Guarded by
   * this: reads run on any thread.
   */
  private final LinkedHashMap<Long, Long> ops = new LinkedHashMap<>();
  private static final long PENDING = Long.MIN_VALUE;

  /** The reads of {@code process}; the first call exports its status function. */
  static Reads of(RpcProcess process) {
    synchronized (BY_PROCESS) {
      Reads r = BY_PROCESS.get(process);
      if (r == null) {
        r = new Reads();
        Reads reads = r;
        process.export(Protocol.READS_STATUS, args -> reads.status(args.expect(1).longAt(0)));
        BY_PROCESS.put(process, r);
      }
      return r;
    }
  }

  long next() {
    return ids.incrementAndGet();
  }

  synchronized void begin(long op) {
    ops.put(op, PENDING);
  }

  synchronized void received(long op) {
    long now = System.nanoTime();
    ops.remove(op);
    ops.put(op, now); // to the tail: the newest received
    // Forget what is old enough that no owner still asks. Only reads still waiting (as many as
    // threads and events reading now) are passed over before the first recent one.
    for (Iterator<Map.Entry<Long, Long>> it = ops.entrySet().iterator(); it.hasNext(); ) {
      long at = it.next().getValue();
      if (at == PENDING) {
        continue;
      }
      if (now - at <= REMEMBER_NANOS) {
        break;
      }
      it.remove();
    }
  }

  synchronized void forget(long op) {
    ops.remove(op);
  }

  synchronized int status(long op) {
    Long at = ops.get(op);
    if (at == null) {
      return Protocol.UNKNOWN;
    }
    return at == PENDING ? Protocol.PENDING : Protocol.RECEIVED;
  }
}
