package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.RpcException;

/** A call sent over a connection that awaits its outcome, as the connection sees it. */
public interface Pending {
  /** The call id of its REQUEST. */
  public long id();

  /** Ends the call with {@code failure}, if it has not ended. */
  public void fail(RpcException failure);
}
