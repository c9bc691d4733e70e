package dev.moonwire.rpc;

import java.util.List;

/**
 * A snapshot of a process, for diagnostics ({@link RpcProcess#stats()}): its connections and
 * what each holds, its calls in flight, its queued events, and the bytes of work it holds.
 * Each figure is read at a slightly different moment: they are not one atomic view.
 *
 * @param id the process
 * @param connections its network connections, both directions, as of now
 * @param pendingCalls calls it made that have not ended (as {@link RpcProcess#pendingCalls()})
 * @param queuedEvents events waiting for their turn (requests, replies, callbacks), not
 *     counting the one running
 * @param inboundBytes bytes of work peers gave the process held now — their requests and sends
 *     queued or running, and the replies, errors and pongs to them not yet written — which the
 *     inbound budget ({@link RpcConfig#withMaxQueuedBytes}) bounds
 * @param outboundBytes bytes queued to go out to peers now
 * @param failedSends one-way sends reported failed since the process opened
 */
public record ProcessStats(ProcessId id, List<Connection> connections, int pendingCalls,
    int queuedEvents, long inboundBytes, long outboundBytes, long failedSends) {

  public ProcessStats {
    connections = List.copyOf(connections);
  }

  /**
   * One connection.
   *
   * @param peer the process at the other end (null while its handshake is not done)
   * @param pendingCalls calls made over it that have not ended
   * @param readingPaused whether this process has stopped reading from it for now (the peer
   *     sent more than the process takes in at once, or does not read what it is sent: flow
   *     control)
   * @param queuedBytes bytes waiting to go to the peer: queued by this process and not yet
   *     taken by the network (a peer that does not read holds a few MiB at most)
   */
  public record Connection(ProcessId peer, int pendingCalls, boolean readingPaused,
      long queuedBytes) {}

  /** A few lines a person can read. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(id).append(": ").append(connections.size()).append(" connection(s), ")
        .append(pendingCalls).append(" call(s) pending, ").append(queuedEvents)
        .append(" event(s) queued, ").append(inboundBytes).append(" B held in, ")
        .append(outboundBytes).append(" B queued out, ").append(failedSends)
        .append(" send(s) failed");
    for (Connection c : connections) {
      b.append("\n  ").append(c.peer() == null ? "(handshake)" : c.peer()).append(": ")
          .append(c.pendingCalls()).append(" pending, ").append(c.queuedBytes())
          .append(" B queued").append(c.readingPaused() ? ", paused" : "");
    }
    return b.toString();
  }
}
