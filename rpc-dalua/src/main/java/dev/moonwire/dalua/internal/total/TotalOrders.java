package dev.moonwire.dalua.internal.total;

import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.MulticastHost;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This process's total orders, one per group, and the protocol's entry point: it is exported
 * as {@link TotalPeer} and hands each message to its group's {@link TotalOrder}. Every method
 * runs as an event of the process (exported handlers are events; {@link #send} is called on
 * one), so the map below needs no lock.
 */
public final class TotalOrders implements TotalPeer {
  /** How many groups a peer's messages may make total-order state for, here. */
  public static final int MAX_APPS = 1_024;
  /** How many messages a member holds back at most, per group. */
  public static final int MAX_HELD = TotalOrder.MAX_HELD;

  private final MulticastHost host;
  /**
   * This process's incarnation, in its messages' ids: a process restarted at the same address
   * starts its sequences again, and its new messages must not pass for its old ones.
   */
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  private final Map<String, TotalOrder> orders = new HashMap<>();

  public TotalOrders(MulticastHost host) {
    this.host = host;
  }

  /** Exports the protocol on the host's process. */
  public TotalOrders export() {
    host.process().export(PREFIX, TotalPeer.class, this);
    return this;
  }

  /**
   * Sends {@code function(args)} in {@code app}'s total order, on an event of the process.
   * Returns what completes once this sender's queue of messages not yet in the protocol has
   * room for the next one: the caller waits for it (back-pressure).
   */
  public CompletableFuture<Void> send(String app, String function, Object[] args) {
    EventConfinement.check(host.process(), "total order of group ", app);
    return orders.computeIfAbsent(app, a -> new TotalOrder(host, a, incarnation))
        .send(function, args == null ? new Object[0] : args);
  }

  /** Messages held back in {@code app}'s total order here (for tests): on an event. */
  public int heldBack(String app) {
    TotalOrder o = orders.get(app);
    return o == null ? 0 : o.heldBack();
  }

  /** How many groups have total-order state here (for tests): on an event. */
  public int groups() {
    return orders.size();
  }

  @Override
  public void message(Message m) {
    ProcessId sender = Rpc.sender();
    if (!sender.equals(m.id().sender())) {
      throw new IllegalArgumentException("total order of '" + m.app() + "': message " + m.id()
          + " ignored: it came from " + sender + " (expected: each member sends its own)");
    }
    host.liveness().heard(sender);
    if (!host.isMember(m.app(), sender)) { // may suspend: state is touched after
      throw new IllegalArgumentException("total order of '" + m.app() + "': a message of "
          + sender + " refused: not a member of the group");
    }
    incoming(m.app()).onMessage(m);
  }

  @Override
  public void propose(Proposal p) {
    ProcessId from = Rpc.sender();
    host.liveness().heard(from);
    TotalOrder o = orders.get(p.app());
    if (o != null) { // a proposal for a group this process sends nothing in: nothing to do
      o.onProposal(p, from);
    }
  }

  @Override
  public void agree(Agreement a) {
    ProcessId from = Rpc.sender();
    host.liveness().heard(from);
    if (!from.equals(a.id().sender())) {
      throw new IllegalArgumentException("total order of '" + a.app() + "': agreement of "
          + a.id() + " from " + from + " ignored (expected: from its sender)");
    }
    if (!host.isMember(a.app(), from)) { // may suspend: state is touched after
      throw new IllegalArgumentException("total order of '" + a.app() + "': an agreement of "
          + from + " refused: not a member of the group");
    }
    incoming(a.app()).onAgree(a.id(), a.ts(), a.tie(), true);
  }

  @Override
  public Settled settled(Query q) {
    TotalOrder o = orders.get(q.app());
    if (o != null) {
      return o.settled(q.id());
    }
    // Nothing of that group here. Its sender's own id of another incarnation: gone with it.
    return Settled.of(Status.UNKNOWN);
  }

  private TotalOrder incoming(String app) {
    TotalOrder o = orders.get(app);
    if (o != null) {
      return o;
    }
    if (orders.size() >= MAX_APPS) {
      throw new IllegalStateException("a total-order message for group '" + app + "' refused: "
          + MAX_APPS + " groups have total-order state here already");
    }
    o = new TotalOrder(host, app, incarnation);
    orders.put(app, o);
    return o;
  }
}
