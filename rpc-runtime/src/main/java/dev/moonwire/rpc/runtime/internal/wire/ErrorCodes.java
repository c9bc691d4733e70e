package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.RpcException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The byte an ERROR frame carries for each {@link RpcException.Kind}. Written out, never
 * derived from {@code ordinal()}: reordering or adding kinds in the API must not change what a
 * byte means on the wire, or a peer of another version would read one failure as another. The
 * codes are those the kinds' positions gave when the wire was first published (version 1).
 */
public final class ErrorCodes {
  private static final Map<RpcException.Kind, Byte> CODES = new EnumMap<>(RpcException.Kind.class);
  private static final RpcException.Kind[] KINDS = new RpcException.Kind[256];

  static {
    code(RpcException.Kind.REMOTE_INVOCATION, 0);
    code(RpcException.Kind.NO_SUCH_FUNCTION, 1);
    code(RpcException.Kind.BAD_ARGUMENTS, 2);
    code(RpcException.Kind.DEADLINE_EXCEEDED, 3);
    code(RpcException.Kind.CANCELLED, 4);
    code(RpcException.Kind.PEER_UNAVAILABLE, 5);
    code(RpcException.Kind.SERIALIZATION, 6);
    code(RpcException.Kind.PROCESS_CLOSED, 7);
    code(RpcException.Kind.PROTOCOL, 8);
    code(RpcException.Kind.OVERLOADED, 9);
    code(RpcException.Kind.SPAWN_FAILED, 10);
    code(RpcException.Kind.GROUP, 11);
    code(RpcException.Kind.FENCED, 12);
  }

  private ErrorCodes() {}

  private static void code(RpcException.Kind kind, int code) {
    if (KINDS[code] != null || CODES.containsKey(kind)) {
      throw new ExceptionInInitializerError("error code " + code + " or kind " + kind
          + " given twice");
    }
    CODES.put(kind, (byte) code);
    KINDS[code] = kind;
  }

  /** The wire code of {@code kind}. */
  public static byte of(RpcException.Kind kind) {
    Byte code = CODES.get(kind);
    if (code == null) {
      throw new IllegalStateException("no wire code for " + kind + " (expected: one in "
          + "ErrorCodes for every RpcException.Kind)");
    }
    return code;
  }

  /** The kind a wire code stands for, or null for a code this version does not know. */
  public static RpcException.Kind kind(int code) {
    return code < 0 || code >= KINDS.length ? null : KINDS[code];
  }
}
