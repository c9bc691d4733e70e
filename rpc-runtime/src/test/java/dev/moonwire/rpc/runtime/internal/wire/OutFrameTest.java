package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.RpcException;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each outbound frame says what it is from the moment it is made, as its bytes say it. */
class OutFrameTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  private static void check(OutFrame f, byte kind, boolean newWork, boolean answers) {
    try {
      assertEquals(kind, f.kind());
      assertEquals(kind, Frames.kindOf(f.bytes()), "the kind its bytes carry");
      assertEquals(f.bytes().readableBytes(), f.size());
      assertEquals(newWork, f.newWork(), "new work");
      assertEquals(answers, f.answers(), "answers");
      if (kind != Frames.SEND) {
        assertNull(f.function());
      }
    } finally {
      f.release();
    }
  }

  @Test
  void everyMaker_classifiesItsFrame_asItsBytesSay() {
    WireCodec codec = new WireCodec(() -> true, new WireRegistry(List.of(), WireKryo.BUILT_IN),
        1 << 20);
    CallHeaders headers = new CallHeaders();
    headers.put("k", "v");

    check(codec.encodeCall(ALLOC, Frames.REQUEST, 1, 100, "f", new Object[] {1}),
        Frames.REQUEST, true, false);
    check(codec.encodeCall(ALLOC, Frames.REQUEST, 1, 100, "f", new Object[] {1}, headers),
        Frames.REQUEST_WITH_HEADERS, true, false);
    OutFrame send = codec.encodeCall(ALLOC, Frames.SEND, 0, 0, "note", new Object[] {"x"});
    assertEquals("note", send.function());
    check(send, Frames.SEND, true, false);
    check(codec.encodeReply(ALLOC, 1, "f", "value"), Frames.REPLY, false, true);
    check(OutFrame.error(ALLOC, 1, RpcException.Kind.OVERLOADED, "m", "", ""), Frames.ERROR,
        false, true);
    check(OutFrame.pong(ALLOC, 5), Frames.PONG, false, true);
    check(OutFrame.ping(ALLOC, 5), Frames.PING, false, false);
    check(OutFrame.cancel(ALLOC, 5), Frames.CANCEL, false, false);
    check(OutFrame.goAway(ALLOC), Frames.GOAWAY, false, false);
    check(OutFrame.schema(ALLOC, List.of()), Frames.SCHEMA, false, false);
  }

  @Test
  void aSend_namesItsFunction_otherCallsDoNot() {
    WireCodec codec = new WireCodec(() -> false, new WireRegistry(List.of(), WireKryo.BUILT_IN),
        1 << 20);
    OutFrame send = codec.encodeCall(ALLOC, Frames.SEND, 0, 0, "tell", new Object[0]);
    OutFrame request = codec.encodeCall(ALLOC, Frames.REQUEST, 3, 9, "ask", new Object[0]);
    try {
      assertEquals("tell", send.function());
      assertNull(request.function());
      assertTrue(send.newWork());
      assertFalse(send.answers());
    } finally {
      send.release();
      request.release();
    }
  }
}
