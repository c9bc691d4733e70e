package dev.moonwire.rpc.runtime.internal.wire;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.CallHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One Kryo with its buffers. Not thread-safe: each instance is confined to one thread at a time
 * (the process's events, or one borrower of the pool).
 */
public final class WireSerializer {
  private final WireKryo kryo;
  private final Output output;
  private final BoundedInput input = new BoundedInput();
  /** The encode buffer grows to the largest value sent; beyond this it is not kept. */
  private static final int KEPT_OUTPUT_BYTES = 64 * 1024;
  private final int maxFrameBytes;

  /** How errors name the process that reads: "this process" until it has an id. */
  private final java.util.function.Supplier<String> self;

  public WireSerializer(WireRegistry registry, int maxFrameBytes) {
    this(registry, maxFrameBytes, () -> "this process");
  }

  public WireSerializer(WireRegistry registry, int maxFrameBytes,
      java.util.function.Supplier<String> self) {
    this.self = self;
    this.kryo = new WireKryo(registry);
    this.output = new Output(256, maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  /** A REQUEST or SEND frame (SEND has no call id or deadline), without headers. */
  public ByteBuf encodeCall(ByteBufAllocator alloc, byte kind, long callId, long deadlineMillis,
      String function, Object[] args) {
    return encodeCall(alloc, kind, callId, deadlineMillis, function, args, null);
  }

  /**
   * A REQUEST or SEND frame (SEND has no call id or deadline); a REQUEST with headers (not null,
   * not empty) is a REQUEST_WITH_HEADERS.
   */
  public ByteBuf encodeCall(ByteBufAllocator alloc, byte kind, long callId, long deadlineMillis,
      String function, Object[] args, CallHeaders headers) {
    output.reset();
    kryo.sync();
    try {
      output.writeVarInt(args.length, true);
      for (int i = 0; i < args.length; i++) {
        writeValue(args[i], function, i);
      }
    } catch (KryoBufferOverflowException e) {
      trimOutput();
      throw tooLarge(function);
    }
    int payload = output.position();
    boolean headed = kind == Frames.REQUEST && headers != null && !headers.isEmpty();
    ByteBuf buf = Frames.start(alloc, 18 + function.length() * 3 + payload
        + (headed ? 256 : 0), headed ? Frames.REQUEST_WITH_HEADERS : kind);
    if (kind == Frames.REQUEST) {
      buf.writeLong(callId);
      buf.writeLong(deadlineMillis);
    }
    Frames.writeShortString(buf, function);
    if (headed) {
      Frames.writeHeaders(buf, headers);
    }
    buf.writeBytes(output.getBuffer(), 0, payload);
    trimOutput();
    return checkSize(Frames.finish(buf), function);
  }

  public ByteBuf encodeReply(ByteBufAllocator alloc, long callId, String function, Object value) {
    output.reset();
    kryo.sync();
    try {
      writeValue(value, function, RESULT);
    } catch (KryoBufferOverflowException e) {
      trimOutput();
      throw tooLarge(function);
    }
    int payload = output.position();
    ByteBuf buf = Frames.start(alloc, 8 + payload, Frames.REPLY);
    buf.writeLong(callId);
    buf.writeBytes(output.getBuffer(), 0, payload);
    trimOutput();
    return checkSize(Frames.finish(buf), function);
  }

  /**
   * Reads the arguments that follow a call's header, by the shapes {@code peer} told (null for
   * a frame of this process). Does not release {@code body}.
   */
  public Object[] decodeArgs(ByteBuf body, String function, WireSchema.Peer peer) {
    input.setBuffer(copied(body));
    kryo.sync();
    kryo.peer(peer);
    try {
      int n = input.readVarInt(true);
      if (n < 0 || n > body.readableBytes()) {
        throw new SerializationException("arguments of '" + function + "' : count " + n
            + " in " + body.readableBytes() + " bytes");
      }
      Object[] args = new Object[n];
      for (int i = 0; i < n; i++) {
        args[i] = readValue(function, i);
      }
      return args;
    } finally {
      kryo.peer(null);
      input.setBuffer(EMPTY);
      input.trim();
    }
  }

  /** Reads a reply's value, as {@link #decodeArgs} does. Does not release {@code body}. */
  public Object decodeValue(ByteBuf body, String function, WireSchema.Peer peer) {
    input.setBuffer(copied(body));
    kryo.sync();
    kryo.peer(peer);
    try {
      return readValue(function, RESULT);
    } finally {
      kryo.peer(null);
      input.setBuffer(EMPTY);
      input.trim();
    }
  }

  /**
   * The readable bytes of {@code body} as Kryo reads them. A small frame is copied into this
   * serializer's own buffer — a copy of what is about to be read anyway, where
   * {@code nioBuffer()} is an object or two per frame; the buffer grows to at most
   * {@value #COPIED_UP_TO} bytes. A larger frame is read in place: an object or two is little
   * beside it, and a copy would be charged to its decoding (BoundedInput's allowance).
   */
  private java.nio.ByteBuffer copied(ByteBuf body) {
    int n = body.readableBytes();
    if (n > COPIED_UP_TO) {
      return body.nioBuffer();
    }
    if (n > inputBytes.capacity()) {
      inputBytes = java.nio.ByteBuffer.allocate(
          Math.min(COPIED_UP_TO, Math.max(n, 2 * inputBytes.capacity())));
    }
    java.nio.ByteBuffer b = inputBytes;
    b.clear();
    body.getBytes(body.readerIndex(), b.array(), 0, n);
    b.limit(n);
    return b;
  }

  private static final int COPIED_UP_TO = 4096;
  private java.nio.ByteBuffer inputBytes = java.nio.ByteBuffer.allocate(256);

  private void trimOutput() {
    if (output.getBuffer().length > KEPT_OUTPUT_BYTES) {
      output.setBuffer(new byte[256], maxFrameBytes);
    }
  }

  private static final java.nio.ByteBuffer EMPTY = java.nio.ByteBuffer.allocate(0);

  /** The position of a reply's value, for {@link #what}. */
  private static final int RESULT = -1;

  /**
   * What a failure names: "argument 2" or "the result". Built only on a failure: the call path
   * writes and reads every value, and a string per value is an allocation per call.
   */
  private static String what(int position) {
    return position == RESULT ? "the result" : "argument " + position;
  }

  private void writeValue(Object value, String function, int position) {
    try {
      kryo.writeClassAndObject(output, value);
    } catch (KryoBufferOverflowException e) {
      throw e;
    } catch (StackOverflowError e) {
      kryo.reset();
      throw new SerializationException("cannot serialize " + what(position) + " of '" + function
          + "': the object graph is cyclic or too deep (expected: a tree of moderate depth)");
    } catch (KryoException | IllegalArgumentException e) {
      kryo.reset();
      Class<?> unregistered = unregistered(e);
      if (unregistered != null) {
        throw new SerializationException("cannot send " + what(position) + " of '" + function
            + "': class " + unregistered.getName() + " is not registered for the wire (expected: "
            + "RpcConfig.register(" + unregistered.getName() + ".class) on both processes)");
      }
      throw failure("cannot serialize " + what(position) + " of '" + function + "'", e);
    }
  }

  private Object readValue(String function, int position) {
    try {
      return kryo.readClassAndObject(input);
    } catch (StackOverflowError e) {
      kryo.reset();
      throw new SerializationException("cannot deserialize " + what(position) + " of '"
          + function + "': nested too deep");
    } catch (OutOfMemoryError e) {
      // Lengths are checked against the frame, so this is the heap being full, not the value
      // being absurd; the call fails, the process goes on.
      kryo.reset();
      throw new SerializationException("cannot deserialize " + what(position) + " of '"
          + function + "': out of memory");
    } catch (RuntimeException e) {
      kryo.reset();
      String what = what(position);
      WireSchema.Peer peer = kryo.peer();
      String from = peer == null ? "this process" : String.valueOf(peer.peer);
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof WireKryo.UnknownClassIdException u) {
          WireSchema.Shape shape = peer == null ? null : peer.get(u.id);
          String name = shape == null ? "of wire id " + u.id : shape.name;
          String expected = shape == null ? "the same classes registered on both processes"
              : "RpcConfig.register(" + shape.name + ".class) on both processes";
          throw new SerializationException("cannot deserialize " + what + " of '" + function
              + "': class " + name + " sent by " + from + " is not registered in " + self.get()
              + " (expected: " + expected + ")");
        }
        if (t instanceof SerializationException s) {
          throw new SerializationException("cannot deserialize " + what + " of '" + function
              + "': " + s.getMessage());
        }
      }
      throw failure("cannot deserialize " + what + " of '" + function + "' sent by " + from, e);
    }
  }

  /**
   * A failure of Kryo as the user sees it: Moonwire's and the JDK's types only. The message of
   * the innermost cause is kept (Kryo's serialization trace, which only repeats the path, is
   * not); a JDK exception at the root stays as the cause.
   */
  public static SerializationException failure(String what, Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getMessage();
    int trace = message.indexOf("\nSerialization trace:");
    if (trace >= 0) {
      message = message.substring(0, trace);
    }
    boolean jdk = root.getClass().getName().startsWith("java.");
    return jdk ? new SerializationException(what + ": " + message, root)
        : new SerializationException(what + ": " + message);
  }

  private static Class<?> unregistered(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WireKryo.UnregisteredClassException u) {
        return u.type;
      }
    }
    return null;
  }

  private ByteBuf checkSize(ByteBuf frame, String function) {
    if (frame.readableBytes() - 4 > maxFrameBytes) {
      frame.release();
      throw tooLarge(function);
    }
    return frame;
  }

  private SerializationException tooLarge(String function) {
    return new SerializationException("frame for '" + function + "' is over maxFrameBytes ("
        + maxFrameBytes + " bytes); nothing was sent (expected: smaller arguments, or a larger "
        + "RpcConfig.withMaxFrameBytes on both processes)");
  }
}
