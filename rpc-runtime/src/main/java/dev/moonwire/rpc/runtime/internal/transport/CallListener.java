package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.runtime.internal.wire.Message;

/**
 * What a process does with the calls peers make of it — gRPC's {@code ServerTransportListener}:
 * requests, one-way sends and cancels, on the connection's I/O thread (the caller's thread for
 * the link to itself). A payload is valid during the call only: retain it to keep it.
 */
public interface CallListener {
  void request(Connection conn, Message.Request request);

  void send(Connection conn, Message.Send send);

  void cancel(Connection conn, long callId);
}
