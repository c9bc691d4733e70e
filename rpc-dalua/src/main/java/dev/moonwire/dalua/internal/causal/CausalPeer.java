package dev.moonwire.dalua.internal.causal;

import dev.moonwire.rpc.ProcessId;
import java.util.Map;
import java.util.Objects;

/**
 * Causal order's protocol (vector clocks), as the members exchange it: every message of the
 * algorithm, in one place. Each member exports it under {@link #PREFIX}. Both are calls: the
 * sender of a message learns whether the member took it (and sends it again if not); the
 * sender of each is the authenticated peer of its connection, never a field of the message.
 */
public interface CausalPeer {
  /** The name space of the protocol's functions. */
  String PREFIX = "dalua.causal";

  /**
   * Who stamps messages: a process in one incarnation (random, per process: a process
   * restarted at the same address is a new source, which counts from 1 again).
   */
  record Source(ProcessId process, long incarnation) {
    public Source {
      Objects.requireNonNull(process, "process");
    }

    @Override
    public String toString() {
      return process + "#" + Long.toHexString(incarnation);
    }
  }

  /**
   * A message: the {@code seq}-th that {@code from} sent; {@code deps} counts, by source, the
   * messages {@code from} had delivered before sending it (its vector clock, but for its own
   * entry); {@code since} is the first of {@code from}'s messages addressed to this member —
   * the earlier ones were sent before it joined, and it waits for none of them.
   */
  @SuppressWarnings("ArrayRecordComponent") // the arguments as sent, like a SEND frame's
  record Message(String app, Source from, long seq, long since, Map<Source, Long> deps,
      String function, Object[] args) {
    public Message {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(deps, "deps");
      Objects.requireNonNull(function, "function");
      args = args == null ? new Object[0] : args;
    }
  }

  /**
   * A member's question to a source: what is the first of your messages addressed to me, in
   * my {@code incarnation}?
   */
  record Query(String app, long incarnation) {
    public Query {
      Objects.requireNonNull(app, "app");
    }
  }

  /**
   * A source's answer: its incarnation, and the first of its messages addressed (or to be) to
   * the asker; those before were never addressed to it.
   */
  record Since(long incarnation, long since) {}

  /** The answer to a {@link Message}: taken by the member in {@code incarnation}. */
  record Taken(long incarnation) {}

  /**
   * Takes a message: delivered at once, or held back until what it depends on is. The answer
   * names the member's incarnation: a sender whose queue toward an address was begun for an
   * earlier process there starts it again for the new one.
   */
  Taken message(Message m);

  /** Answers a {@link Query} from the calling member. */
  Since since(Query q);
}
