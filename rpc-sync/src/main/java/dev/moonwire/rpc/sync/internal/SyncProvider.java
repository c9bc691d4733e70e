package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProvider;
import dev.moonwire.rpc.spi.RpcProvider;
import java.util.List;

/**
 * The provider of the synchronous layer: outranks the bare runtime when both are present, and
 * differs from it only in the layer its processes get.
 */
public final class SyncProvider implements RpcProvider {
  private final RuntimeProvider runtime = new RuntimeProvider();

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public RpcProcess open(RpcConfig config) {
    return new RuntimeProcess(config, VirtualThreadLayer.INSTANCE);
  }

  @Override
  public RpcProcess current() {
    return runtime.current();
  }

  @Override
  public List<RpcProcess> openProcesses() {
    return runtime.openProcesses();
  }
}
