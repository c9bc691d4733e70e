package dev.moonwire.csp;

import static dev.moonwire.csp.ChannelTest.awaitBlocked;
import static dev.moonwire.csp.ChannelTest.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CancelledException;
import org.junit.jupiter.api.Test;

class SemaphoreTest {
  @Test
  void down_atZero_waitsForUp() throws Exception {
    Semaphore s = Semaphore.create(1);
    s.down();
    ChannelTest.Running<Object> second = spawn(() -> {
      s.down();
      return "in";
    });
    awaitBlocked(second);
    assertFalse(second.result().isDone());
    s.up();
    assertEquals("in", second.get());
    assertEquals(0, s.available());
  }

  @Test
  void down_cancelled_leavesTheCounterAsItWas() throws Exception {
    Semaphore s = Semaphore.create(0);
    ChannelTest.Running<Object> waiter = spawn(() -> {
      s.down();
      return null;
    });
    awaitBlocked(waiter);
    waiter.thread().interrupt();
    assertTrue(waiter.failure() instanceof CancelledException);
    s.up();
    assertEquals(1, s.available(), "the up went to the cancelled down");
  }

  @Test
  void create_negative_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> Semaphore.create(-1));
  }
}
