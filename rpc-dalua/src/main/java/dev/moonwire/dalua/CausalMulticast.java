package dev.moonwire.dalua;

import dev.moonwire.rpc.ProcessId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Causal order with vector clocks: a message is delivered at a member only after every message
 * its sender had delivered (or sent) before sending it. Concurrent messages may be delivered in
 * any order. A member delivers a message when it is the next from its sender and depends on no
 * message it has not delivered; the others wait in a hold-back list.
 */
final class CausalMulticast implements Multicast {
  static final String FUNCTION = "dalua.causal";
  /** How many messages a member holds back at most; past it, new ones are refused. */
  static final int MAX_HELD = 10_000;
  /** How many members a stamp may name at most. */
  static final int MAX_STAMP_ENTRIES = 100_000;

  private final Dalua dalua;
  private final String app;
  private final Deliveries deliveries;
  // guarded by this
  private final Map<ProcessId, Long> clock = new HashMap<>();
  private final List<Held> held = new ArrayList<>();

  private record Held(ProcessId sender, Map<ProcessId, Long> stamp, String function,
      Object[] args, long bytes) {}

  CausalMulticast(Dalua dalua, String app) {
    this.dalua = dalua;
    this.app = app;
    this.deliveries = new Deliveries(dalua, "causal order of '" + app + "'");
  }

  @Override
  public void send(String function, Object... args) {
    List<ProcessId> members = dalua.apps().processes(app);
    Object[] message = args == null ? new Object[0] : args;
    List<ProcessId> others = new ArrayList<>(members);
    boolean toSelf = others.remove(dalua.self());
    synchronized (this) { // stamped and queued together: frames leave in stamp order
      clock.merge(dalua.self(), 1L, Long::sum);
      HashMap<ProcessId, Long> stamp = new HashMap<>(clock);
      if (toSelf) { // delivered here at once: through no budget, never refused
        deliveries.deliver(function, message);
      }
      dalua.process().send(others, FUNCTION, app, dalua.self(), stamp, function, message);
    }
  }

  /** A message arrived (as an event): delivered now, or held until what it depends on is. */
  void onMessage(ProcessId sender, Map<ProcessId, Long> stamp, String function, Object[] args) {
    List<Held> deliver = new ArrayList<>();
    synchronized (this) {
      if (sender.equals(dalua.self())) {
        return; // its own are delivered as they are sent, never through the wire
      } else {
        checkStamp(sender, stamp);
        if (stamp.get(sender) <= clock.getOrDefault(sender, 0L)) {
          return; // delivered here already: a copy
        }
        Held arrived = new Held(sender, stamp, function, args,
            HeldBytes.estimate(function, args));
        if (!deliverable(arrived)) { // it would wait: it must fit what may be held
          if (held.size() >= MAX_HELD) {
            throw new IllegalStateException("causal order of '" + app + "': a message of "
                + sender + " refused: " + MAX_HELD + " messages wait here already for ones "
                + "that never came");
          }
          if (!dalua.heldBytes.tryTake(arrived.bytes)) {
            throw new IllegalStateException("causal order of '" + app + "': a message of "
                + sender + " (about " + arrived.bytes + " bytes) refused: "
                + dalua.heldBytes.used() + " bytes of messages wait here already for ones "
                + "that never came (expected: at most " + HeldBytes.MAX + ")");
          }
        }
        held.add(arrived);
        for (boolean progress = true; progress; ) {
          progress = false;
          for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (deliverable(h)) {
              it.remove();
              if (h != arrived) {
                dalua.heldBytes.release(h.bytes); // taken when it was held
              }
              clock.put(h.sender, h.stamp.get(h.sender));
              deliver.add(h);
              progress = true;
            }
          }
        }
      }
    }
    for (Held h : deliver) {
      deliveries.deliver(h.function, h.args); // in this order, as events, never refused
    }
  }

  /**
   * A stamp is taken into the clock as it is: one without its sender's entry, or with a null,
   * would put a null there and stop causal delivery here and at every member this one stamps
   * its own messages for.
   */
  private void checkStamp(ProcessId sender, Map<ProcessId, Long> stamp) {
    String why = null;
    if (stamp == null) {
      why = "no stamp";
    } else if (stamp.size() > MAX_STAMP_ENTRIES) {
      why = stamp.size() + " entries (expected at most " + MAX_STAMP_ENTRIES + ")";
    } else if (!(stamp.get(sender) instanceof Long own) || own < 1) {
      why = "no entry >= 1 for its sender";
    } else {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) stamp).entrySet()) { // as decoded: any types
        if (!(e.getKey() instanceof ProcessId) || !(e.getValue() instanceof Long n) || n < 0) {
          why = "an entry " + e.getKey() + "=" + e.getValue() + " (expected: a process and a "
              + "count >= 0)";
          break;
        }
      }
    }
    if (why != null) {
      throw new IllegalArgumentException("causal order of '" + app + "': a message of " + sender
          + " refused: its stamp " + stamp + " has " + why);
    }
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
