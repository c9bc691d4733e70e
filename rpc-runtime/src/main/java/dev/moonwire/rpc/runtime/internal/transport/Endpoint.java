package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.ProtocolException;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.runtime.internal.wire.Message;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import java.util.concurrent.Executor;

/**
 * What a connection needs of the process it belongs to — and all it gets: the transport
 * hands what it reads to {@link #route} and knows nothing of calls or handlers.
 */
public interface Endpoint {
  public ProcessId id();

  /**
   * This run of the process at {@link #id}, chosen when it opened and said in each HELLO; never
   * {@link dev.moonwire.rpc.runtime.internal.wire.Frames#NO_INCARNATION}.
   */
  public long incarnation();

  public RpcConfig config();

  /** The shared secret; empty for none. Not to be modified. */
  public byte[] secret();

  /** The classes this process lets cross the wire, whose shapes peers are told. */
  public WireRegistry registry();

  /** The event loop of all this process's connections. */
  public Executor homeLoop();

  /** Bytes queued to go out to peers. */
  public Budget outbound();

  /**
   * Bytes of work peers gave the process that has not ended: requests and sends held, and the
   * answers to them not yet written.
   */
  public Budget inbound();

  /** Where failed one-way sends are reported. */
  public Refusals refusals();

  /** Where warnings a peer can trigger go, rate-limited. */
  public PeerLog peerLog();

  /** Runs this process's events. */
  public EventScheduler scheduler();

  /** Runs {@code task} (user code) as an event; what it throws is reported. */
  public void submitUser(Runnable task);

  /** Reports a failure nobody else will see. */
  public void reportUncaught(Throwable t);

  /** Where the calls peers make of this process go. */
  public CallListener calls();

  /** The observer of calls and connections, or null. */
  public dev.moonwire.rpc.RpcObserver observer();

  /** Where the answers to this process's own calls go. */
  public ReplyListener replies();

  /**
   * Hands a message of a peer after the handshake to {@link #calls} or {@link #replies} — the
   * one place a message's kind decides where it goes; on the connection's I/O thread (or the
   * caller's, for the link to itself). A payload is valid during the call only.
   *
   * @throws ProtocolException for a message that has no place after the handshake
   */
  public default void route(Connection conn, Message message) {
    switch (message) {
      case Message.Request request -> calls().request(conn, request);
      case Message.Send send -> calls().send(conn, send);
      case Message.Cancel cancel -> calls().cancel(conn, cancel.callId());
      case Message.Reply reply -> replies().reply(conn, reply);
      case Message.Failure error -> replies().error(conn, error);
      case Message.Oversized oversized -> replies().oversized(conn, oversized);
      default -> throw new ProtocolException("unexpected " + message.getClass().getSimpleName()
          + " after the handshake");
    }
  }

  /** {@code conn} is gone. */
  public void connectionClosed(ChannelConnection conn);

  /** {@code conn}'s handshake is done: it carries calls from now on. On its I/O thread. */
  public void connectionOpened(ChannelConnection conn);
}
