package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.Message;

/**
 * What a process does with the answers to its own calls — gRPC's {@code ClientStreamListener}:
 * replies, errors (and the notices of refused one-way sends, which come as errors) and replies
 * too large to read, on the connection's I/O thread. A payload is valid during the call only.
 */
public interface ReplyListener {
  void reply(Connection conn, Message.Reply reply);

  void error(Connection conn, Message.Failure error);

  void oversized(Connection conn, Message.Oversized oversized);
}
