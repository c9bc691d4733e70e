package dev.moonwire.dalua.internal.total;

import dev.moonwire.rpc.ProcessId;
import java.util.Objects;

/**
 * Total order's protocol (ISIS agreed timestamps), as the members exchange it: every message
 * of the algorithm, in one place. Each member exports it under {@link #PREFIX}; {@code message},
 * {@code propose} and {@code agree} are one-way sends, {@code settled} is a call. The sender of
 * each is the authenticated peer of its connection, never a field of the message.
 */
public interface TotalPeer {
  /** The name space of the protocol's functions. */
  String PREFIX = "dalua.total";

  /**
   * A message's id: its sender, the sender's incarnation (random, per process: a process
   * restarted at the same address is another sender) and its place in the sender's sequence.
   */
  record MessageId(ProcessId sender, long incarnation, long seq) {
    public MessageId {
      Objects.requireNonNull(sender, "sender");
    }

    @Override
    public String toString() {
      return sender + "#" + Long.toHexString(incarnation) + "#" + seq;
    }
  }

  /** A new message, from its sender to every member. */
  @SuppressWarnings("ArrayRecordComponent") // the arguments as sent, like a SEND frame's
  record Message(String app, MessageId id, String function, Object[] args) {
    public Message {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(function, "function");
      args = args == null ? new Object[0] : args;
    }
  }

  /** A member's proposed timestamp for a message, to its sender. */
  record Proposal(String app, MessageId id, long ts) {
    public Proposal {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(id, "id");
    }
  }

  /** The agreed timestamp of a message (the largest proposal, ties by proposer), to all. */
  record Agreement(String app, MessageId id, long ts, String tie) {
    public Agreement {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(tie, "tie");
    }
  }

  /** A question to a member about a message: what does it know of its agreement? */
  record Query(String app, MessageId id) {
    public Query {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(id, "id");
    }
  }

  /** What a member knows of a message's agreement. */
  enum Status {
    /** Agreed: {@code ts} and {@code tie} are the agreement. */
    AGREED,
    /**
     * Not agreed yet, and still to be: its sender still runs it, or (another member) it holds
     * the message and, having answered, no longer takes its sender's agreement.
     */
    PENDING,
    /**
     * Never agreed here: a sender that never sent it in this incarnation (restarted, so the
     * incarnation that sent it is gone), or a member that never saw it and now never will.
     */
    UNKNOWN
  }

  /** The answer to a {@link Query}. */
  record Settled(Status status, long ts, String tie) {
    public Settled {
      Objects.requireNonNull(status, "status");
    }

    static Settled agreed(long ts, String tie) {
      return new Settled(Status.AGREED, ts, tie);
    }

    static Settled of(Status status) {
      return new Settled(status, -1, "");
    }
  }

  void message(Message m);

  void propose(Proposal p);

  void agree(Agreement a);

  Settled settled(Query q);
}
