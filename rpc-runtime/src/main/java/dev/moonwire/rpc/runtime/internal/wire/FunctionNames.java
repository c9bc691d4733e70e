package dev.moonwire.rpc.runtime.internal.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Function names read from frames, each kept once: every request names its function, and a
 * fresh string for each was two objects per call. Short ASCII names are looked up by their bytes
 * in a small table shared by all processes (a slot holds the first name that hashed to it, so what
 * any peer sends can take no more than the table, and names that collide do not take turns
 * writing it); other names are decoded each time.
 */
final class FunctionNames {
  private static final int SLOTS = 512;
  private static final int CACHED_UP_TO = 64;
  // Racy on purpose: a String is safely published through its final fields, and a lost write
  // only costs a later decode.
  private static final String[] NAMES = new String[SLOTS];

  private FunctionNames() {}

  /** Reads the next {@code n} bytes of {@code buf} as a name. */
  static String read(ByteBuf buf, int n) {
    if (n > CACHED_UP_TO || buf.readableBytes() < n) {
      return buf.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }
    int at = buf.readerIndex();
    int hash = 0;
    for (int i = 0; i < n; i++) {
      byte b = buf.getByte(at + i);
      if (b < 0) { // not ASCII: decoded as UTF-8, not kept
        return buf.readCharSequence(n, StandardCharsets.UTF_8).toString();
      }
      hash = 31 * hash + b;
    }
    int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    String cached = NAMES[slot];
    if (cached != null && same(cached, buf, at, n)) {
      buf.skipBytes(n);
      return cached;
    }
    String name = buf.readCharSequence(n, StandardCharsets.US_ASCII).toString();
    if (cached == null) {
      // Only an empty slot is filled: two names that share a slot would otherwise overwrite it
      // on every call, each write dirtying a cache line that every process's I/O threads read.
      NAMES[slot] = name;
    }
    return name;
  }

  private static boolean same(String s, ByteBuf buf, int at, int n) {
    if (s.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) != buf.getByte(at + i)) {
        return false;
      }
    }
    return true;
  }
}
