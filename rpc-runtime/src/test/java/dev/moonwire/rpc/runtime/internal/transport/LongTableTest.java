package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The call-id table behaves as a map through growth, shrinking and removals mid-chain. */
class LongTableTest {

  @Test
  void randomPutsAndRemoves_agreeWithAHashMap() {
    Random random = new Random(7);
    LongTable<String> table = new LongTable<>();
    Map<Long, String> model = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      // few distinct keys, some colliding, negative and zero included: chains form and break
      long key = random.nextInt(600) - 100 + (random.nextBoolean() ? 0 : (long) 1 << 40);
      String value = "v" + key; // one instance in both: the table compares values by identity
      switch (random.nextInt(4)) {
        case 0, 1 -> assertSame(model.putIfAbsent(key, value), table.putIfAbsent(key, value),
            "putIfAbsent " + key);
        case 2 -> assertEquals(model.remove(key), table.remove(key), "remove " + key);
        default -> {
          String v = model.get(key);
          assertEquals(model.remove(key, v) && v != null, v != null && table.remove(key, v));
        }
      }
      assertEquals(model.size(), table.size());
      if (step % 10_000 == 0) {
        for (Map.Entry<Long, String> e : model.entrySet()) {
          assertSame(e.getValue(), table.get(e.getKey()), "get " + e.getKey());
        }
        assertEquals(new HashSet<>(model.values()), new HashSet<>(table.values()));
      }
    }
  }

  @Test
  void remove_otherValueUnderTheKey_keepsIt() {
    LongTable<String> table = new LongTable<>();
    table.putIfAbsent(5, "a");
    assertFalse(table.remove(5, "b"));
    assertSame("a", table.get(5));
    assertTrue(table.remove(5, "a"));
    assertNull(table.get(5));
    assertEquals(0, table.size());
  }

  @Test
  void putAndGet_idsThatCollidedUnderTheFixedHash_keepChainsShort() {
    // The old slot was (int) (h ^ h >>> 32) for h = key * C: any h = (k << 32) | k gives 0, and
    // key = h * C^-1 mod 2^64 is an id a peer could choose.
    long c = 0x9E3779B97F4A7C15L;
    long inverse = c; // Newton's iteration doubles the correct low bits each step
    for (int step = 0; step < 6; step++) {
      inverse *= 2 - c * inverse;
    }
    assertEquals(1, c * inverse);
    int n = 20_000;
    LongTable<String> table = new LongTable<>();
    for (long k = 1; k <= n; k++) {
      table.putIfAbsent(((k << 32) | k) * inverse, "v");
    }
    for (long k = n + 1; k <= 2 * n; k++) {
      assertNull(table.get(((k << 32) | k) * inverse));
    }
    assertEquals(n, table.size());
    // at most half full, a random hash probes about 1.5 slots past the first on a put and 2.5
    // on a miss; one clustered slot makes it about n / 2 per operation
    assertTrue(table.probes < 10L * 2 * n, "probes " + table.probes);
  }

  @Test
  void putIfAbsent_outOfMemoryWhileGrowing_throwsAndChangesNothing() {
    boolean[] out = {false};
    LongTable<String> table = new LongTable<>(n -> {
      if (out[0]) {
        throw new OutOfMemoryError("test");
      }
      return new Object[n];
    });
    for (long k = 0; k < 4; k++) {
      table.putIfAbsent(k, "v" + k);
    }
    out[0] = true;
    assertThrows(OutOfMemoryError.class, () -> table.putIfAbsent(4, "v4")); // needs 16 slots
    assertEquals(4, table.size());
    assertNull(table.get(4));
    for (long k = 0; k < 4; k++) {
      assertEquals("v" + k, table.get(k));
    }
    out[0] = false;
    assertNull(table.putIfAbsent(4, "v4"));
    assertEquals("v4", table.get(4));
  }

  @Test
  void remove_outOfMemoryWhileShrinking_removesAnyway() {
    boolean[] out = {false};
    LongTable<String> table = new LongTable<>(n -> {
      if (out[0]) {
        throw new OutOfMemoryError("test");
      }
      return new Object[n];
    });
    for (long k = 0; k < 20; k++) {
      table.putIfAbsent(k, "v" + k); // 64 slots: it shrinks once fewer than 8 are left
    }
    out[0] = true;
    for (long k = 0; k < 20; k++) {
      assertEquals("v" + k, removeOrFail(table, k));
      assertEquals(19 - k, table.size());
      for (long j = k + 1; j < 20; j++) {
        assertEquals("v" + j, table.get(j));
      }
    }
    out[0] = false;
    assertNull(table.putIfAbsent(7, "again"));
    assertTrue(table.remove(7, "again"));
    assertEquals(0, table.size());
  }

  // JUnit rethrows an OutOfMemoryError and ends the whole run: made a plain failure here.
  private static String removeOrFail(LongTable<String> table, long key) {
    try {
      return table.remove(key);
    } catch (OutOfMemoryError e) {
      throw new AssertionError("remove threw", e);
    }
  }
}
