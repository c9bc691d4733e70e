package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shared name table keeps the first name of a slot: colliding names do not rewrite it. */
class FunctionNamesTest {

  @Test
  void read_aNameThatSharesTheSlotOfAKeptOne_leavesTheKeptOneThere() {
    String kept = "functionNamesTest.kept";
    String other = null;
    for (int i = 0; other == null; i++) {
      String candidate = "functionNamesTest.other" + i;
      if (slot(candidate) == slot(kept)) {
        other = candidate;
      }
    }
    String first = read(kept);
    assertSame(first, read(kept), "the name is kept on its first read");
    assertEquals(other, read(other));
    assertSame(first, read(kept), "the colliding name did not replace it");
  }

  private static String read(String name) {
    ByteBuf buf = Unpooled.copiedBuffer(name, StandardCharsets.US_ASCII);
    try {
      return FunctionNames.read(buf, buf.readableBytes());
    } finally {
      buf.release();
    }
  }

  // FunctionNames' own slot: the same hash over the ASCII bytes, 512 slots
  private static int slot(String name) {
    int hash = 0;
    for (int i = 0; i < name.length(); i++) {
      hash = 31 * hash + name.charAt(i);
    }
    return (hash ^ (hash >>> 16)) & 511;
  }
}
