package dev.moonwire.rpc.runtime.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moonwire.rpc.RpcException;
import org.junit.jupiter.api.Test;

/** A call id pending twice is a bug, said at once rather than a call that is never answered. */
class ConnectionAddTest {

  private record Call(long id) implements Pending {
    @Override
    public void fail(RpcException failure) {}
  }

  @Test
  void add_idAlreadyPending_throwsAndKeepsTheFirst() {
    Connection conn = new LocalConnection(new FakeEndpoint());
    Call first = new Call(42);
    conn.add(first);
    assertThrows(IllegalStateException.class, () -> conn.add(new Call(42)));
    assertEquals(1, conn.pendingCount());
    assertSame(first, conn.take(42));
  }
}
