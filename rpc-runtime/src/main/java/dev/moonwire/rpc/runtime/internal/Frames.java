package dev.moonwire.rpc.runtime.internal;

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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * The wire format. Every frame is a 4-byte big-endian length, then the body; the body starts
 * with one byte of message kind:
 *
 * <pre>
 * HELLO   magic:int version:byte host:str port:int nonce:16 bytes proofLength:byte proof
 * AUTH    proof:32 bytes      (only when the processes share a secret; see Handshake)
 * SCHEMA  the shapes of the sender's registered classes (see WireSchema): each side sends one
 *         as soon as it has said HELLO (and AUTH), before anything else, and more as it
 *         registers more classes
 * REQUEST callId:long deadlineMillis:long function:str payload(argc, args...)
 * SEND    function:str payload(argc, args...)
 * REPLY   callId:long payload(value)
 * ERROR   callId:long kind:byte message:str remoteClass:str remoteStack:str
 *         (a callId of -n, n > 0, is no call's: it tells the sender that n of its one-way
 *         sends were refused)
 * CANCEL  callId:long
 * PING    nonce:long          PONG nonce:long          GOAWAY
 * </pre>
 *
 * A {@code str} is an unsigned short length and UTF-8 bytes, except the ERROR strings, whose
 * length is an int. Payloads are Kryo; everything else is read on the I/O thread without Kryo.
 */
final class Frames {
  private Frames() {}

  static final byte HELLO = 1;
  static final byte REQUEST = 2;
  static final byte SEND = 3;
  static final byte REPLY = 4;
  static final byte ERROR = 5;
  static final byte CANCEL = 6;
  static final byte PING = 7;
  static final byte PONG = 8;
  static final byte GOAWAY = 9;
  static final byte AUTH = 10;
  static final byte SCHEMA = 11;

  static final int MAGIC = 0x4D57_4952; // "MWIR"
  static final byte VERSION = 2;
  static final int MAX_STACK_CHARS = 16 * 1024;

  /** Starts a frame: a length placeholder and the kind. */
  static ByteBuf start(ByteBufAllocator alloc, int bodyHint, byte kind) {
    ByteBuf buf = alloc.buffer(5 + bodyHint);
    buf.writeInt(0);
    buf.writeByte(kind);
    return buf;
  }

  /** Ends a frame: fills in its length. */
  static ByteBuf finish(ByteBuf buf) {
    buf.setInt(0, buf.readableBytes() - 4);
    return buf;
  }

  static ByteBuf hello(ByteBufAllocator alloc, ProcessId self, byte[] nonce, byte[] proof) {
    ByteBuf buf = start(alloc, 96, HELLO);
    buf.writeInt(MAGIC);
    buf.writeByte(VERSION);
    writeShortString(buf, self.host());
    buf.writeInt(self.port());
    buf.writeBytes(nonce);
    buf.writeByte(proof.length);
    buf.writeBytes(proof);
    return finish(buf);
  }

  static ByteBuf auth(ByteBufAllocator alloc, byte[] proof) {
    ByteBuf buf = start(alloc, proof.length, AUTH);
    buf.writeBytes(proof);
    return finish(buf);
  }

  /**
   * Reads the rest of a HELLO.
   *
   * @throws ProtocolException if it is not Moonwire's, or of another version
   */
  static Handshake.Hello readHello(ByteBuf body) {
    if (body.readableBytes() < 5) {
      throw new ProtocolException("handshake too short (expected: magic and version)");
    }
    int magic = body.readInt();
    if (magic != MAGIC) {
      throw new ProtocolException(
          "bad handshake magic 0x" + Integer.toHexString(magic) + " (expected: 0x4d574952)");
    }
    byte version = body.readByte();
    if (version != VERSION) {
      throw new ProtocolException(
          "protocol version " + version + " (expected: " + VERSION + ")");
    }
    String host = readShortString(body);
    int port = body.readInt();
    ProcessId id;
    try {
      id = ProcessId.of(host, port);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("bad process id in handshake: " + e.getMessage());
    }
    byte[] nonce = new byte[Handshake.NONCE_BYTES];
    body.readBytes(nonce);
    byte[] proof = new byte[body.readUnsignedByte()];
    body.readBytes(proof);
    return new Handshake.Hello(id, nonce, proof);
  }

  static ByteBuf withLong(ByteBufAllocator alloc, byte kind, long value) {
    ByteBuf buf = start(alloc, 8, kind);
    buf.writeLong(value);
    return finish(buf);
  }

  static ByteBuf goAway(ByteBufAllocator alloc) {
    return finish(start(alloc, 0, GOAWAY));
  }

  static ByteBuf error(ByteBufAllocator alloc, long callId, RpcException.Kind kind, String message,
      String remoteClass, String remoteStack) {
    ByteBuf buf = start(alloc, 64, ERROR);
    buf.writeLong(callId);
    buf.writeByte(kind.ordinal());
    writeLongString(buf, message != null && message.length() > MAX_STACK_CHARS
        ? message.substring(0, MAX_STACK_CHARS) + "... (cut)" : message);
    writeLongString(buf, remoteClass);
    writeLongString(buf, remoteStack.length() > MAX_STACK_CHARS
        ? remoteStack.substring(0, MAX_STACK_CHARS) + "\n\t... (cut)" : remoteStack);
    return finish(buf);
  }

  /** Reads the rest of an ERROR (after the call id) as the exception the caller gets. */
  static RpcException readError(ByteBuf body, String function) {
    int ordinal = body.readUnsignedByte();
    String message = readLongString(body);
    String remoteClass = readLongString(body);
    String remoteStack = readLongString(body);
    RpcException.Kind[] kinds = RpcException.Kind.values();
    if (ordinal >= kinds.length) {
      return new ProtocolException("unknown error kind " + ordinal + " for '" + function + "': "
          + message);
    }
    return switch (kinds[ordinal]) {
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
    };
  }

  static void writeShortString(ByteBuf buf, String s) {
    int lengthAt = buf.writerIndex();
    buf.writeShort(0);
    int n = buf.writeCharSequence(s, StandardCharsets.UTF_8);
    if (n > 0xFFFF) {
      throw new IllegalArgumentException("name of " + n + " bytes (expected: <= 65535)");
    }
    buf.setShort(lengthAt, n);
  }

  static String readShortString(ByteBuf buf) {
    int n = buf.readUnsignedShort();
    return buf.readCharSequence(n, StandardCharsets.UTF_8).toString();
  }

  static void writeLongString(ByteBuf buf, String s) {
    String v = s == null ? "" : s;
    buf.writeInt(ByteBufUtil.utf8Bytes(v));
    buf.writeCharSequence(v, StandardCharsets.UTF_8);
  }

  static String readLongString(ByteBuf buf) {
    int n = buf.readInt();
    if (n < 0 || n > buf.readableBytes()) {
      throw new ProtocolException("string of " + n + " bytes in a frame of "
          + buf.readableBytes() + " left");
    }
    return buf.readCharSequence(n, StandardCharsets.UTF_8).toString();
  }
}
