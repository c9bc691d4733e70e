package dev.moonwire.dalua.internal.mutex;

import dev.moonwire.rpc.ProcessId;

/**
 * Ricart &amp; Agrawala's protocol between the members of a mutex, all of it: each member exports
 * this interface under {@link #PREFIX} and sends to the others through a typed one-way proxy
 * ({@code process.send(members, PREFIX, MutexPeer.class)}). A message names its sender, which the
 * receiver checks against the authenticated peer of its connection ({@code Rpc.sender()}), and
 * the sender's membership epoch, which must not be older than the one the receiver knows.
 */
public interface MutexPeer {
  /** The prefix of the exported functions: {@code dalua.mutex.request}, {@code dalua.mutex.ok}. */
  String PREFIX = "dalua.mutex";

  /**
   * {@code from} asks to enter {@code mutex} with its Lamport {@code timestamp}, as the member
   * of membership epoch {@code epoch} (0 when its directory has none).
   */
  record Request(String mutex, long timestamp, ProcessId from, long epoch) {}

  /**
   * {@code from} lets the receiver's request {@code timestamp} in: sent at {@code from}'s
   * Lamport {@code clock} (what makes fencing tokens grow in grant order), as the member of
   * membership epoch {@code epoch}.
   */
  record Ok(String mutex, ProcessId from, long timestamp, long clock, long epoch) {}

  /** A request of another member. */
  void request(Request request);

  /** An OK for this member's request. */
  void ok(Ok ok);
}
