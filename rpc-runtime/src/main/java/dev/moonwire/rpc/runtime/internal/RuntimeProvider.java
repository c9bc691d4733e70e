package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.spi.RpcProvider;
import java.util.List;

/** The bare runtime's provider: asynchronous calls, one platform thread per process. */
public final class RuntimeProvider implements RpcProvider {
  @Override
  public int priority() {
    return 0;
  }

  @Override
  public RpcProcess open(RpcConfig config) {
    return new RuntimeProcess(config, BareLayer.INSTANCE);
  }

  @Override
  public RpcProcess current() {
    return Processes.current();
  }

  @Override
  public List<RpcProcess> openProcesses() {
    return Processes.open();
  }

  @Override
  public dev.moonwire.rpc.ProcessId sender() {
    dev.moonwire.rpc.ProcessId sender =
        dev.moonwire.rpc.runtime.internal.dispatch.Dispatcher.currentSender();
    if (sender == null) {
      throw new IllegalStateException("Rpc.sender : no exported function is handling a request "
          + "or message on this thread (expected: called from a handler, before it returns)");
    }
    return sender;
  }
}
