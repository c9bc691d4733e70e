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
   * Sends {@code function(args...)} to the group's current members. Returns at once; a member
   * that cannot be reached is reported to this process's uncaught-error handler.
   */
  void send(String function, Object... args);
}
