package dev.moonwire.rpc.runtime.internal.dispatch;

import dev.moonwire.rpc.runtime.internal.transport.Endpoint;
import dev.moonwire.rpc.runtime.internal.wire.WireCodec;
import java.util.concurrent.CompletionStage;

/** What the dispatcher needs of the process whose requests it runs. */
public interface Host extends Endpoint {
  /** The observer of calls, or null for none. */
  @Override
  public dev.moonwire.rpc.RpcObserver observer();

  /** True once the process has begun to close: new work is refused. */
  public boolean isClosing();


  /** The inbound budget as the connections share it: their requests and sends take from it. */
  public dev.moonwire.rpc.runtime.internal.transport.InboundShares shares();

  /** The process's codec. */
  public WireCodec codec();

  /** True when each event runs on a thread of its own, which a CANCEL may interrupt. */
  public boolean threadPerEvent();

  /** Waits for {@code stage}, suspending the event if the process can (see RpcProcess.await). */
  public <T> T await(CompletionStage<T> stage);

  /** Reports {@code t}; {@code where} goes into the default log line. */
  public void reportUncaught(Throwable t, String where);
}
