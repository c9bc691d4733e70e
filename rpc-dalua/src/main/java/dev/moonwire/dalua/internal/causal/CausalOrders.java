package dev.moonwire.dalua.internal.causal;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.MulticastHost;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This process's causal orders, one per group, and the protocol's entry point: it is exported
 * as {@link CausalPeer} and hands each message to its group's {@link CausalOrder}. Every method
 * runs as an event of the process, so the map below needs no lock.
 */
public final class CausalOrders implements CausalPeer {
  /** How many groups a peer's messages may make causal-order state for, here. */
  public static final int MAX_APPS = 1_024;
  /** How many messages a member holds back at most, per group. */
  public static final int MAX_HELD = CausalOrder.MAX_HELD;

  private final MulticastHost host;
  /** This process's incarnation: a process restarted at the same address is a new source. */
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  private final Map<String, CausalOrder> orders = new HashMap<>();

  public CausalOrders(MulticastHost host) {
    this.host = host;
  }

  /** Exports the protocol on the host's process. */
  public CausalOrders export() {
    host.process().export(PREFIX, CausalPeer.class, this);
    return this;
  }

  /**
   * Sends {@code function(args)} in {@code app}'s causal order, on an event of the process.
   * Returns what completes once every member's queue of messages not yet taken has room for
   * the next one: the caller waits for it (back-pressure).
   */
  public CompletableFuture<Void> send(String app, String function, Object[] args) {
    EventConfinement.check(host.process(), "causal order of group ", app);
    return orders.computeIfAbsent(app, a -> new CausalOrder(host, a, incarnation))
        .send(function, args == null ? new Object[0] : args);
  }

  /** Messages held back in {@code app}'s causal order here (for tests): on an event. */
  public int heldBack(String app) {
    CausalOrder o = orders.get(app);
    return o == null ? 0 : o.heldBack();
  }

  /** Messages sent and not yet taken by some member, in {@code app} (for tests): on an event. */
  public int unacknowledged(String app) {
    CausalOrder o = orders.get(app);
    return o == null ? 0 : o.unacknowledged();
  }

  /** How many groups have causal-order state here (for tests): on an event. */
  public int groups() {
    return orders.size();
  }

  @Override
  public Taken message(Message m) {
    ProcessId sender = Rpc.sender();
    if (!sender.equals(m.from().process())) {
      throw new IllegalArgumentException("causal order of '" + m.app() + "': a message "
          + "naming " + m.from() + " as its source ignored: it came from " + sender
          + " (expected: each member sends its own)");
    }
    host.liveness().heard(sender);
    if (!host.isMember(m.app(), sender)) { // may suspend: state is touched after
      throw new IllegalArgumentException("causal order of '" + m.app() + "': a message of "
          + sender + " refused: not a member of the group");
    }
    CausalOrder o = orders.get(m.app());
    if (o == null) {
      if (orders.size() >= MAX_APPS) {
        throw new IllegalStateException("a causal message for group '" + m.app() + "' refused: "
            + MAX_APPS + " groups have causal-order state here already");
      }
      o = new CausalOrder(host, m.app(), incarnation);
      orders.put(m.app(), o);
    }
    o.onMessage(m);
    return new Taken(incarnation);
  }

  @Override
  public Since since(Query q) {
    CausalOrder o = orders.get(q.app());
    return o == null ? new Since(incarnation, 1) : o.since(Rpc.sender(), q.incarnation());
  }
}
