package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Error kinds have wire codes of their own, fixed whatever the enum's order (issue 21, 14). */
class ErrorCodesTest {
  @Test
  void theCodesAreThoseVersionOneSends() {
    String published = "REMOTE_INVOCATION=0 NO_SUCH_FUNCTION=1 BAD_ARGUMENTS=2 "
        + "DEADLINE_EXCEEDED=3 CANCELLED=4 PEER_UNAVAILABLE=5 SERIALIZATION=6 PROCESS_CLOSED=7 "
        + "PROTOCOL=8 OVERLOADED=9 SPAWN_FAILED=10 GROUP=11 FENCED=12";
    for (String pair : published.split(" ", -1)) {
      String[] kv = pair.split("=", -1);
      RpcException.Kind kind = RpcException.Kind.valueOf(kv[0]);
      assertEquals(Integer.parseInt(kv[1]), ErrorCodes.of(kind), kind.name());
      assertEquals(kind, ErrorCodes.kind(Integer.parseInt(kv[1])));
    }
  }

  @Test
  void everyKindHasOneCode_andEachCodeOneKind() {
    Set<Byte> codes = new HashSet<>();
    for (RpcException.Kind kind : RpcException.Kind.values()) {
      byte code = ErrorCodes.of(kind);
      assertEquals(kind, ErrorCodes.kind(code));
      assertEquals(true, codes.add(code), "code " + code + " twice");
    }
  }

  @Test
  void everyKind_crossesTheWireAsItself() {
    for (RpcException.Kind kind : RpcException.Kind.values()) {
      ByteBuf frame = Frames.error(ByteBufAllocator.DEFAULT, 7, kind, "m", "C", "");
      try {
        frame.skipBytes(Frames.LENGTH_PREFIX_BYTES);
        Message.Failure e = assertInstanceOf(Message.Failure.class, Frames.decode(frame));
        assertEquals(kind, e.toException("f").kind());
      } finally {
        frame.release();
      }
    }
  }

  @Test
  void anUnknownCode_isAProtocolError_namingIt() {
    assertNull(ErrorCodes.kind(200));
    assertNull(ErrorCodes.kind(-1));
    assertNull(ErrorCodes.kind(255));
    assertNull(ErrorCodes.kind(256), "past the table: no kind, not an exception");
    assertNull(ErrorCodes.kind(Integer.MAX_VALUE));
    RpcException e = new Message.Failure(1, 200, "m", "", "").toException("f");
    assertInstanceOf(ProtocolException.class, e);
    assertEquals(true, e.getMessage().contains("unknown error kind 200"), e.getMessage());
  }
}
