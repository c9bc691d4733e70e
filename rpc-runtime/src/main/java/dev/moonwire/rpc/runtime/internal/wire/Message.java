package dev.moonwire.rpc.runtime.internal.wire;


import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.DeadlineExceededException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.SerializationException;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * A frame, read: what {@link Frames#decode} makes of one. A payload ({@code Request},
 * {@code Send}, {@code Reply}) is the frame's buffer positioned at its Kryo bytes, valid while
 * the frame is being handled: whoever keeps it retains it.
 */
public sealed interface Message {
  /**
   * The first frame each side sends. {@code proof} is empty when the sender has no secret;
   * {@code features} are what it reads beyond its version ({@link Frames#FEATURES});
   * {@code incarnation} tells this run of the process from an earlier or later one at the same
   * {@code id} ({@link Frames#NO_INCARNATION} from a peer older than incarnations).
   */
  // read once by the handshake, never compared or hashed as a record
  @SuppressWarnings("ArrayRecordComponent")
  public record Hello(ProcessId id, byte[] nonce, byte[] proof, int features, long incarnation)
      implements Message {}

  /** The client's proof that it knows the shared secret. */
  @SuppressWarnings("ArrayRecordComponent") // likewise
  public record Auth(byte[] proof) implements Message {}

  /** The shapes of the sender's registered classes ({@link WireSchema}). */
  public record Schema(List<WireSchema.Shape> shapes) implements Message {}

  /**
   * A call. {@code headersAt}: where its headers are in the frame ({@link Frames#readHeaders}),
   * -1 if it has none. {@code frameBytes}: the whole frame's size, what it costs to hold.
   */
  public record Request(long callId, long deadlineMillis, String function, int headersAt,
      ByteBuf payload, int frameBytes) implements Message {}

  /** A one-way message. */
  public record Send(String function, ByteBuf payload, int frameBytes) implements Message {}

  /** A call's value. */
  public record Reply(long callId, ByteBuf payload, int frameBytes) implements Message {}

  /**
   * A call's failure; a {@code callId} of -n (n > 0) is no call's: it tells the sender that n of
   * its one-way sends were refused.
   */
  public record Failure(long callId, int kind, String message, String remoteClass, String remoteStack)
      implements Message {
    /** The failure as the caller of {@code function} gets it. */
    public RpcException toException(String function) {
      RpcException.Kind known = ErrorCodes.kind(kind);
      if (known == null) {
        return new ProtocolException("unknown error kind " + kind + " for '" + function + "': "
            + message);
      }
      return switch (known) {
        case REMOTE_INVOCATION ->
            new RemoteInvocationException(function, remoteClass, message, remoteStack);
        case NO_SUCH_FUNCTION -> new NoSuchFunctionException(message);
        case BAD_ARGUMENTS -> new BadArgumentsException(message);
        case DEADLINE_EXCEEDED -> new DeadlineExceededException(message);
        case CANCELLED -> new CancelledException(message);
        case PEER_UNAVAILABLE -> new PeerUnavailableException(message);
        case SERIALIZATION -> new SerializationException(message);
        case PROCESS_CLOSED -> new ProcessClosedException(message);
        case PROTOCOL -> new ProtocolException(message);
        case OVERLOADED -> new OverloadedException(message);
        case SPAWN_FAILED -> new dev.moonwire.rpc.SpawnFailedException(message);
        case GROUP -> new dev.moonwire.rpc.GroupException(message);
        case FENCED -> new dev.moonwire.rpc.FencedException(message);
      };
    }
  }

  /** The caller gave up on a call. */
  public record Cancel(long callId) implements Message {}

  /** A heartbeat, answered by a {@link Pong} of the same nonce. */
  public record Ping(long nonce) implements Message {}

  public record Pong(long nonce) implements Message {}

  /** The sender is closing: no new calls to it on this connection. */
  public record GoAway() implements Message {}

  /**
   * A frame over the receiver's limit, of which only the kind and call id (0 for none) were
   * read; {@link FrameDecoder} skips its bytes.
   */
  public record Oversized(byte kind, long callId, long length, int limit) implements Message {}
}
