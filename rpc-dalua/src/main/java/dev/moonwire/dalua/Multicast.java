package dev.moonwire.dalua;

/**
 * An ordered multicast to the members of a group, the sender included ({@link Dalua#causal},
 * {@link Dalua#total}): like a one-way send of {@code function} to each member, delivered — the
 * function called as an event of each member's process — once per member, in the order the
 * multicast promises.
 */
public interface Multicast {
  /**
   * Sends {@code function(args...)} to the group's current members. Returns at once; a member
   * that cannot be reached is reported to this process's uncaught-error handler.
   */
  void send(String function, Object... args);
}
