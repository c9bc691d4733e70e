package dev.moonwire.csp.internal;

/**
 * A channel in another process that can be an {@code Alt} read guard. Its readiness is known
 * only at its owner, so the select asks the owner to reserve a value for it ({@link #reserve})
 * and waits, sending nothing more, until the reservation arrives or the select ends another
 * way.
 */
public interface RemoteGuard {
  /**
   * Asks the owner to reserve a value for {@code slot}. When one arrives the guard offers it
   * with {@link RemoteSlot#deliver}: if the select took it, the value is the reader's; if not,
   * the guard gives it back to the owner. When the select ends another way, the slot's
   * withdrawal action (registered with {@link RemoteSlot#onWithdraw}) tells the owner.
   */
  void reserve(RemoteSlot slot);
}
