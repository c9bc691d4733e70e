package dev.moonwire.dalua;

/**
 * An ordered multicast to the members of a group, the sender included ({@link Dalua#causal},
 * {@link Dalua#total}): like a one-way send of {@code function} to each member, delivered — the
 * function called as an event of each member's process — once per member, in the order the
 * multicast promises.
 *
 * <p>At each member the delivered messages of one multicast are handed to their functions one
 * at a time, each as a call of this process to itself: the next starts once the previous
 * function has returned (a function that suspends holds back the ones after it). A delivery
 * that the member's inbound budget refuses is tried again, never dropped; a function that is
 * missing or throws is reported to the member's uncaught-error handler.
 */
public interface Multicast {
  /**
   * Sends {@code function(args...)} to the group's current members, from any thread; the
   * protocol runs on this process's events.
   *
   * <p>Total order: returns once the message is queued here (one message of this sender is in
   * the protocol at a time); while 256 messages (or 4 MiB) of this sender wait here for their
   * turn — its messages not agreed, e.g. the others shut it out after a pause — {@code send}
   * waits for room, as below. Causal order: the message is stamped and delivered here, then
   * queued for each other member; a member that refuses one (its budget full, a frame lost) is
   * sent it again, in order. While a member's queue holds 256 messages (or 4 MiB) it has not
   * taken, {@code send} waits for room — inside an event it suspends, elsewhere it blocks. A
   * member the failure detector holds gone, or that left the group, loses its queue.
   *
   * @throws dev.moonwire.rpc.RpcException if the group's members cannot be read (causal
   *     order; total order retries and reports the failure to the uncaught-error handler)
   * @throws dev.moonwire.rpc.ProcessClosedException if this process closes first
   */
  void send(String function, Object... args);
}
