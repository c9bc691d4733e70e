package dev.moonwire.dalua.internal.space;

import dev.moonwire.rpc.ProcessId;
import java.util.Objects;

/**
 * The operations of a replicated space, as they travel in the group's total order: every
 * member applies the same ones in the same order ({@link Replica}), so all hold the same tuples.
 * {@code origin} and {@code req} name the request at the member that made it, which alone
 * answers its caller. (The total order authenticates each message's sender; the delivered
 * operation reaches the space as a call of the process to itself, so the origin travels in it.)
 */
public sealed interface SpaceOp {
  /** The group whose space this is. */
  String group();

  /** How an {@link Ask} takes. */
  int IN = 0;
  int RD = 1;
  int INP = 2;
  int RDP = 3;
  int TAKE = 4;

  /** Lease kinds in an {@link Out}. */
  int FOREVER = 0;
  int TIMED = 1;
  int WHILE_ALIVE = 2;

  @SuppressWarnings("ArrayRecordComponent") // the tuple's fields as written
  record Out(String group, ProcessId origin, long req, Object[] fields, int lease, long leaseMillis)
      implements SpaceOp {
    public Out {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(fields, "fields");
    }
  }

  record Ask(String group, ProcessId origin, long req, WireTemplate template, int mode)
      implements SpaceOp {
    public Ask {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(template, "template");
    }
  }

  /** The origin gave up request {@code req}: withdrawn if it waits, its tuple back if taken. */
  record Cancel(String group, ProcessId origin, long req) implements SpaceOp {}

  /** The take {@code req} of {@code origin} is final; {@code ack} answers the done() call. */
  record Done(String group, ProcessId origin, long req, long ack) implements SpaceOp {}

  /** The lease of tuple {@code seq} ended (sent by each member whose timer fired). */
  record Expire(String group, long seq) implements SpaceOp {}

  /**
   * The directory holds {@code process} gone from the group (it left, or died): its waiting
   * requests end, its loans come back, its whileAlive tuples go. {@code syncId} is the Sync of
   * {@code process} the sender's copy last applied: a Gone ordered after a newer Sync of the
   * same process (it rejoined) is about its old copy, and does nothing.
   */
  record Gone(String group, ProcessId process, long syncId) implements SpaceOp {}

  /** {@code joiner} asks for the state as it is at this point of the order. */
  record Sync(String group, ProcessId joiner, long id) implements SpaceOp {}
}
