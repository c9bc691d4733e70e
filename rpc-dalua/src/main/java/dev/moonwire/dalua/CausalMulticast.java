package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Causal order with vector clocks: a message is delivered at a member only after every message
 * its sender had delivered (or sent) before sending it. Concurrent messages may be delivered in
 * any order. A member delivers a message when it is the next from its sender and depends on no
 * message it has not delivered; the others wait in a hold-back list.
 *
 * <p>Each message goes to each other member as a call, so its sender learns whether it got
 * there: one refused on the way (the member full, a connection lost) is sent again every second
 * until it is taken, the member is gone ({@link dev.moonwire.dalua.internal.Liveness}) or it has
 * left the group; at most {@link #MAX_RETRYING} wait to go again, past which one is given up and
 * reported. A copy of a message already delivered or held is taken and ignored, so a message is
 * delivered once whatever copies arrive.
 */
final class CausalMulticast implements Multicast {
  static final String FUNCTION = "dalua.causal";
  /** How many messages a member holds back at most; past it, new ones are refused. */
  static final int MAX_HELD = 10_000;
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final ScheduledExecutorService RETRIES =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("dalua-causal-retries").unstarted(r));
  private final AtomicLong resent = new AtomicLong();
  /**
   * How many messages may wait here to be sent again, all members together: each holds its
   * arguments until it is taken. Past it, a refused message is given up and reported.
   */
  static final int MAX_RETRYING = 10_000;
  private final java.util.concurrent.atomic.AtomicInteger retrying =
      new java.util.concurrent.atomic.AtomicInteger();

  private final Dalua dalua;
  private final String app;
  // guarded by this
  private final Map<ProcessId, Long> clock = new HashMap<>();
  private final List<Held> held = new ArrayList<>();

  private record Held(ProcessId sender, Map<ProcessId, Long> stamp, String function,
      Object[] args) {}

  CausalMulticast(Dalua dalua, String app) {
    this.dalua = dalua;
    this.app = app;
  }

  @Override
  public void send(String function, Object... args) {
    List<ProcessId> members = dalua.apps().processes(app);
    Object[] message = args == null ? new Object[0] : args;
    synchronized (this) { // stamped and queued together: frames leave in stamp order
      clock.merge(dalua.self(), 1L, Long::sum);
      HashMap<ProcessId, Long> stamp = new HashMap<>(clock);
      for (ProcessId m : members) {
        if (m.equals(dalua.self())) {
          dalua.process().send(m, FUNCTION, app, m, stamp, function, message);
        } else {
          deliverTo(m, stamp, function, message);
        }
      }
    }
  }

  /** Sends a message to member {@code m} as a call; if it is refused, again in a second. */
  private void deliverTo(ProcessId m, Map<ProcessId, Long> stamp, String function,
      Object[] args) {
    dalua.process().async(m, FUNCTION, v -> dalua.liveness.answered(m), e -> {
      if (dalua.process().isClosed() || dalua.liveness.gone(m, e)) {
        return; // gone: it is no longer owed anything
      }
      if (retrying.incrementAndGet() > MAX_RETRYING) {
        retrying.decrementAndGet();
        throw new IllegalStateException("causal order of '" + app + "': a message to " + m
            + " given up after " + e.kind() + ": " + MAX_RETRYING + " messages already wait "
            + "here to be sent again (expected: members that take what they are sent)");
      }
      RETRIES.schedule(() -> {
        retrying.decrementAndGet();
        if (!dalua.process().isClosed() && stillMember(m)) {
          resent.incrementAndGet();
          deliverTo(m, stamp, function, args);
        }
      }, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }).call(app, dalua.self(), stamp, function, args);
  }

  /** Whether {@code m} is still in the group; if the directory cannot say, it is taken to be. */
  private boolean stillMember(ProcessId m) {
    try {
      return dalua.apps().processes(app).contains(m);
    } catch (RuntimeException directoryUnreachable) {
      return true; // the member itself is what decides: Liveness drops it if it is gone
    }
  }

  /** Messages sent again to a member that did not take them at first (a diagnostic). */
  long resent() {
    return resent.get();
  }

  /** A message arrived (as an event): delivered now, or held until what it depends on is. */
  void onMessage(ProcessId sender, Map<ProcessId, Long> stamp, String function, Object[] args) {
    List<Held> deliver = new ArrayList<>();
    synchronized (this) {
      if (sender.equals(dalua.self())) {
        deliver.add(new Held(sender, stamp, function, args)); // its own: sent in order
      } else {
        long seq = stamp.getOrDefault(sender, 0L);
        if (seq <= clock.getOrDefault(sender, 0L) || isHeld(sender, seq)) {
          return; // a copy, sent again: delivered or held here already
        }
        if (held.size() >= MAX_HELD) {
          throw new IllegalStateException("causal order of '" + app + "': a message of "
              + sender + " refused: " + MAX_HELD + " messages wait here already for ones "
              + "that never came");
        }
        held.add(new Held(sender, stamp, function, args));
        for (boolean progress = true; progress; ) {
          progress = false;
          for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (deliverable(h)) {
              it.remove();
              clock.put(h.sender, h.stamp.get(h.sender));
              deliver.add(h);
              progress = true;
            }
          }
        }
      }
    }
    for (Held h : deliver) {
      // a send to itself runs as an event, after those queued: in this order
      dalua.process().send(dalua.self(), h.function, h.args);
    }
  }

  private boolean isHeld(ProcessId sender, long seq) {
    for (Held h : held) {
      if (h.sender.equals(sender) && h.stamp.getOrDefault(sender, 0L) == seq) {
        return true;
      }
    }
    return false;
  }

  /** The next from its sender, and nothing it depends on is missing here. */
  private boolean deliverable(Held h) {
    for (Map.Entry<ProcessId, Long> e : h.stamp.entrySet()) {
      long mine = clock.getOrDefault(e.getKey(), 0L);
      if (e.getKey().equals(h.sender) ? e.getValue() != mine + 1 : e.getValue() > mine) {
        return false;
      }
    }
    return true;
  }

  /** Messages held back, waiting for those they depend on (for tests). */
  synchronized int heldBack() {
    return held.size();
  }
}
