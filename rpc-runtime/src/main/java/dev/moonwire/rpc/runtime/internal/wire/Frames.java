package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RpcException;
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
 *         features:int (absent from peers older than the features, read as 0)
 *         incarnation:long (absent from peers older than incarnations, read as 0: unknown)
 * AUTH    proof:32 bytes      (only when the processes share a secret; see Handshake)
 * SCHEMA  the shapes of the sender's registered classes (see WireSchema): each side sends one
 *         as soon as it has said HELLO (and AUTH), before anything else, and more as it
 *         registers more classes
 * REQUEST callId:long deadlineMillis:long function:str payload(argc, args...)
 * REQUEST_WITH_HEADERS
 *         callId:long deadlineMillis:long function:str headers payload(argc, args...)
 *         where headers = length:ushort count:ubyte (key:str value:str){count}, length
 *         counting what follows it; sent only to a peer whose HELLO has FEATURE_HEADERS
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
 *
 * <p>Within a version the wire grows in two ways only: a field added at the end of HELLO (a peer
 * that leaves it out is read as having its zero, and a reader skips whatever follows the fields
 * it knows), and a frame kind sent only to a peer whose HELLO has the feature bit for it
 * (REQUEST_WITH_HEADERS). So processes of one version but different builds talk, each sending
 * what the other reads.
 */
public final class Frames {
  private Frames() {}

  public static final byte HELLO = 1;
  public static final byte REQUEST = 2;
  public static final byte SEND = 3;
  public static final byte REPLY = 4;
  /** The length field in front of every frame; a frame's length does not count it. */
  public static final int LENGTH_PREFIX_BYTES = 4;
  public static final byte ERROR = 5;
  public static final byte CANCEL = 6;
  public static final byte PING = 7;
  public static final byte PONG = 8;
  public static final byte GOAWAY = 9;
  public static final byte AUTH = 10;
  public static final byte SCHEMA = 11;
  public static final byte REQUEST_WITH_HEADERS = 12;

  /**
   * What this side reads beyond its protocol version, said in its HELLO. A peer that leaves the
   * field out (an older Moonwire of the same version) reads none of it, and is sent none.
   */
  public static final int FEATURE_HEADERS = 1;
  public static final int FEATURES = FEATURE_HEADERS;

  /**
   * The incarnation of a peer that did not say (older than incarnations); a process never
   * chooses it for itself ({@link #incarnation()}).
   */
  public static final long NO_INCARNATION = 0;

  /**
   * A fresh incarnation: random, so that a process restarted at the same host and port is told
   * from the one before it without any clock or stored state.
   */
  public static long incarnation() {
    long i;
    do {
      i = INCARNATIONS.nextLong();
    } while (i == NO_INCARNATION);
    return i;
  }

  private static final java.security.SecureRandom INCARNATIONS = new java.security.SecureRandom();

  public static final int MAGIC = 0x4D57_4952; // "MWIR"
  public static final byte VERSION = 2;
  public static final int MAX_STACK_CHARS = 16 * 1024;

  /**
   * Whether a frame of {@code kind} answers something the peer sent — a reply, an error, a pong.
   * Until written, such a frame is charged to the work the peer gave the process: a peer that
   * asks and does not read cannot make the process hold more than its budget.
   */
  public static boolean answers(byte kind) {
    return kind == REPLY || kind == ERROR || kind == PONG;
  }

  /** The kind of a whole frame (length prefix included). */
  public static byte kindOf(ByteBuf frame) {
    return frame.getByte(frame.readerIndex() + LENGTH_PREFIX_BYTES);
  }

  /** Starts a frame: a length placeholder and the kind. */
  public static ByteBuf start(ByteBufAllocator alloc, int bodyHint, byte kind) {
    ByteBuf buf = alloc.buffer(5 + bodyHint);
    buf.writeInt(0);
    buf.writeByte(kind);
    return buf;
  }

  /** Ends a frame: fills in its length. */
  public static ByteBuf finish(ByteBuf buf) {
    buf.setInt(0, buf.readableBytes() - LENGTH_PREFIX_BYTES);
    return buf;
  }

  public static ByteBuf hello(ByteBufAllocator alloc, ProcessId self, byte[] nonce, byte[] proof,
      long incarnation) {
    ByteBuf buf = start(alloc, 104, HELLO);
    buf.writeInt(MAGIC);
    buf.writeByte(VERSION);
    writeShortString(buf, self.host());
    buf.writeInt(self.port());
    buf.writeBytes(nonce);
    buf.writeByte(proof.length);
    buf.writeBytes(proof);
    buf.writeInt(FEATURES);
    buf.writeLong(incarnation);
    return finish(buf);
  }

  public static ByteBuf auth(ByteBufAllocator alloc, byte[] proof) {
    ByteBuf buf = start(alloc, proof.length, AUTH);
    buf.writeBytes(proof);
    return finish(buf);
  }

  /**
   * Reads the rest of a HELLO.
   *
   * @throws ProtocolException if it is not Moonwire's, or of another version
   */
  public static Message.Hello readHello(ByteBuf body) {
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
    int features = body.readableBytes() >= 4 ? body.readInt() : 0;
    long incarnation = body.readableBytes() >= 8 ? body.readLong() : NO_INCARNATION;
    return new Message.Hello(id, nonce, proof, features, incarnation);
  }

  public static ByteBuf withLong(ByteBufAllocator alloc, byte kind, long value) {
    ByteBuf buf = start(alloc, 8, kind);
    buf.writeLong(value);
    return finish(buf);
  }

  public static ByteBuf goAway(ByteBufAllocator alloc) {
    return finish(start(alloc, 0, GOAWAY));
  }

  public static ByteBuf error(ByteBufAllocator alloc, long callId, RpcException.Kind kind, String message,
      String remoteClass, String remoteStack) {
    ByteBuf buf = start(alloc, 64, ERROR);
    buf.writeLong(callId);
    buf.writeByte(ErrorCodes.of(kind));
    writeLongString(buf, message != null && message.length() > MAX_STACK_CHARS
        ? message.substring(0, MAX_STACK_CHARS) + "... (cut)" : message);
    writeLongString(buf, remoteClass);
    writeLongString(buf, remoteStack.length() > MAX_STACK_CHARS
        ? remoteStack.substring(0, MAX_STACK_CHARS) + "\n\t... (cut)" : remoteStack);
    return finish(buf);
  }

  /**
   * Reads a frame (its length already taken off) as a {@link Message}. The payload of a
   * REQUEST, SEND or REPLY is {@code frame} itself, positioned at the Kryo bytes.
   *
   * @throws ProtocolException if the frame is malformed or of an unknown kind
   */
  public static Message decode(ByteBuf frame) {
    if (!frame.isReadable()) {
      throw new ProtocolException("empty frame");
    }
    int size = frame.readableBytes();
    byte kind = frame.readByte();
    try {
      return switch (kind) {
        case REQUEST -> {
          long callId = frame.readLong();
          long deadline = frame.readLong();
          yield new Message.Request(callId, deadline, readFunction(frame), -1, frame, size);
        }
        case REQUEST_WITH_HEADERS -> requestWithHeaders(frame, size);
        case SEND -> new Message.Send(readFunction(frame), frame, size);
        case REPLY -> new Message.Reply(frame.readLong(), frame, size);
        case ERROR -> new Message.Failure(frame.readLong(), frame.readUnsignedByte(),
            readLongString(frame), readLongString(frame), readLongString(frame));
        case CANCEL -> new Message.Cancel(frame.readLong());
        case PING -> new Message.Ping(frame.readLong());
        case PONG -> new Message.Pong(frame.readLong());
        case GOAWAY -> new Message.GoAway();
        case HELLO -> readHello(frame);
        case AUTH -> {
          byte[] proof = new byte[frame.readableBytes()];
          frame.readBytes(proof);
          yield new Message.Auth(proof);
        }
        case SCHEMA -> new Message.Schema(WireSchema.decode(frame));
        default -> throw new ProtocolException("unknown frame kind " + kind);
      };
    } catch (IndexOutOfBoundsException e) {
      throw new ProtocolException("frame of kind " + kind + " cut short (" + size + " bytes)");
    }
  }

  // Out of decode's switch, so that decode stays small enough to inline on the read path.
  private static Message.Request requestWithHeaders(ByteBuf frame, int size) {
    long callId = frame.readLong();
    long deadline = frame.readLong();
    String function = readFunction(frame);
    int headersAt = frame.readerIndex();
    skipHeaders(frame);
    return new Message.Request(callId, deadline, function, headersAt, frame, size);
  }

  /** Writes a call's headers, as REQUEST_WITH_HEADERS carries them. */
  public static void writeHeaders(ByteBuf buf, CallHeaders headers) {
    int lengthAt = buf.writerIndex();
    buf.writeShort(0);
    buf.writeByte(headers.size());
    headers.forEach((k, v) -> {
      writeShortString(buf, k);
      writeShortString(buf, v);
    });
    buf.setShort(lengthAt, buf.writerIndex() - lengthAt - 2);
  }

  /** The most bytes of a headers section: its count, and each key and value with its length. */
  private static final int MAX_HEADERS_SECTION =
      1 + CallHeaders.MAX_BYTES + 4 * CallHeaders.MAX_HEADERS;

  /**
   * Checks the headers at the reader index, on the I/O thread, and moves past them: keys as
   * {@link CallHeaders#checkKey} wants them, values valid UTF-8, within CallHeaders' bounds. So
   * what {@link #readHeaders} reads later can no longer fail.
   *
   * @throws ProtocolException if they are malformed or over {@link CallHeaders}' bounds
   */
  static void skipHeaders(ByteBuf frame) {
    int length = frame.readUnsignedShort();
    if (length < 1 || length > MAX_HEADERS_SECTION || length > frame.readableBytes()) {
      throw new ProtocolException("headers of " + length + " bytes (expected: 1 to "
          + Math.min(MAX_HEADERS_SECTION, frame.readableBytes()) + ")");
    }
    int end = frame.readerIndex() + length;
    int count = frame.readUnsignedByte();
    if (count > CallHeaders.MAX_HEADERS) {
      throw new ProtocolException(count + " headers (expected: at most "
          + CallHeaders.MAX_HEADERS + ")");
    }
    int bytes = 0;
    for (int i = 0; i < 2 * count; i++) {
      if (end - frame.readerIndex() < 2) {
        throw new ProtocolException("headers cut short");
      }
      int n = frame.readUnsignedShort();
      if (n > end - frame.readerIndex()) {
        throw new ProtocolException("headers cut short");
      }
      if (i % 2 == 0) {
        checkKey(frame, n);
      } else if (!ByteBufUtil.isText(frame, frame.readerIndex(), n, StandardCharsets.UTF_8)) {
        // valid UTF-8 only: a malformed value would grow when decoded, past what was counted
        throw new ProtocolException("a header value that is not UTF-8");
      }
      frame.skipBytes(n);
      bytes += n;
    }
    if (frame.readerIndex() != end || bytes > CallHeaders.MAX_BYTES) {
      throw new ProtocolException("headers of " + bytes + " bytes in a section of " + length
          + " (expected: at most " + CallHeaders.MAX_BYTES + ", filling it)");
    }
  }

  private static void checkKey(ByteBuf frame, int n) {
    String key = frame.toString(frame.readerIndex(), n, StandardCharsets.US_ASCII);
    try {
      CallHeaders.checkKey(key);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(e.getMessage());
    }
  }

  /** The headers that {@link #skipHeaders} checked at {@code at}; the frame is not moved. */
  public static CallHeaders readHeaders(ByteBuf frame, int at) {
    int i = at + 2;
    int count = frame.getUnsignedByte(i++);
    if (count == 0) {
      return CallHeaders.empty();
    }
    CallHeaders headers = new CallHeaders();
    for (int h = 0; h < count; h++) {
      int k = frame.getUnsignedShort(i);
      String key = frame.toString(i + 2, k, StandardCharsets.US_ASCII);
      i += 2 + k;
      int v = frame.getUnsignedShort(i);
      String value = frame.toString(i + 2, v, StandardCharsets.UTF_8);
      i += 2 + v;
      headers.put(key, value);
    }
    return headers;
  }

  /**
   * The same request as a plain REQUEST, for a peer that reads no headers. Releases
   * {@code frame} (length prefix included, as queued).
   */
  public static ByteBuf withoutHeaders(ByteBufAllocator alloc, ByteBuf frame) {
    try {
      int start = frame.readerIndex();
      int function = start + LENGTH_PREFIX_BYTES + 1 + 16;
      int headersAt = function + 2 + frame.getUnsignedShort(function);
      int payloadAt = headersAt + 2 + frame.getUnsignedShort(headersAt);
      ByteBuf plain = alloc.buffer(frame.readableBytes() - (payloadAt - headersAt));
      plain.writeBytes(frame, start, headersAt - start);
      plain.writeBytes(frame, payloadAt, frame.writerIndex() - payloadAt);
      plain.setByte(LENGTH_PREFIX_BYTES, REQUEST);
      return finish(plain);
    } finally {
      frame.release();
    }
  }

  public static void writeShortString(ByteBuf buf, String s) {
    int lengthAt = buf.writerIndex();
    buf.writeShort(0);
    int n = buf.writeCharSequence(s, StandardCharsets.UTF_8);
    if (n > 0xFFFF) {
      throw new IllegalArgumentException("name of " + n + " bytes (expected: <= 65535)");
    }
    buf.setShort(lengthAt, n);
  }

  public static String readShortString(ByteBuf buf) {
    int n = buf.readUnsignedShort();
    return buf.readCharSequence(n, StandardCharsets.UTF_8).toString();
  }

  /** A function's name, as {@link #readShortString} reads it, kept once by {@link FunctionNames}. */
  static String readFunction(ByteBuf buf) {
    return FunctionNames.read(buf, buf.readUnsignedShort());
  }

  public static void writeLongString(ByteBuf buf, String s) {
    String v = s == null ? "" : s;
    buf.writeInt(ByteBufUtil.utf8Bytes(v));
    buf.writeCharSequence(v, StandardCharsets.UTF_8);
  }

  public static String readLongString(ByteBuf buf) {
    int n = buf.readInt();
    if (n < 0 || n > buf.readableBytes()) {
      throw new ProtocolException("string of " + n + " bytes in a frame of "
          + buf.readableBytes() + " left");
    }
    return buf.readCharSequence(n, StandardCharsets.UTF_8).toString();
  }
}
