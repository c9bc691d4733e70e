package dev.moonwire.csp.internal.remote;

import dev.moonwire.rpc.RpcProcess;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A process's remote reads, by operation id: what it answers when an owner asks whether a
 * value it lent arrived ({@link Protocol#READS_STATUS}). Ids are issued in increasing order, so
 * it remembers only the exceptions: reads still waiting, and reads that ended without their
 * value (withdrawn, failed, given back) — rare, and forgotten after {@link #REMEMBER_NANOS}.
 * Every other id it issued was received. Its memory grows with reads in flight and with
 * failures, not with throughput.
 */
final class Reads {
  static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(5);
  private static final Map<RpcProcess, Reads> BY_PROCESS = new WeakHashMap<>();

  /**
   * Ids start at a random point: the owner keys them by host and port, and a process restarted
   * at the same address must not reuse its previous run's ids (its loans and its answers about
   * them would be taken for the new run's).
   */
  private final long first = ThreadLocalRandom.current().nextLong(1L << 61);
  // guarded by this: reads run on any thread
  private long last = first;
  private final Set<Long> pending = new HashSet<>();
  /** Ids that ended without their value, by the nano time they did: oldest first. */
  private final LinkedHashMap<Long, Long> notReceived = new LinkedHashMap<>();

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

  synchronized long next() {
    return ++last;
  }

  synchronized void begin(long op) {
    pending.add(op);
  }

  synchronized void received(long op) {
    pending.remove(op);
  }

  /** {@code op} ended and the owner lent nothing for it (empty, closed, withdrawn). */
  synchronized void nothingLent(long op) {
    pending.remove(op); // nobody asks about it: nothing to remember
  }

  /** {@code op} ended without its value: an owner asking about it must give the value back. */
  synchronized void forget(long op) {
    pending.remove(op);
    long now = System.nanoTime();
    notReceived.put(op, now);
    for (Iterator<Long> it = notReceived.values().iterator(); it.hasNext(); ) {
      if (now - it.next() <= REMEMBER_NANOS) {
        break;
      }
      it.remove();
    }
  }

  synchronized int status(long op) {
    if (pending.contains(op)) {
      return Protocol.PENDING;
    }
    if (op <= first || op > last || notReceived.containsKey(op)) {
      return Protocol.UNKNOWN;
    }
    return Protocol.RECEIVED;
  }
}
