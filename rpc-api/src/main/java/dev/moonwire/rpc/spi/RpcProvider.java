package dev.moonwire.rpc.spi;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.RpcFuture;
import java.util.List;

/**
 * What a Moonwire runtime provides to the {@link dev.moonwire.rpc.Rpc} facade. Found with
 * {@link java.util.ServiceLoader}; when several are present the highest {@link #priority()}
 * wins (the synchronous layer outranks the bare runtime). Not for application code.
 */
public interface RpcProvider {
  /** Higher wins. */
  int priority();

  /** Opens a process. */
  RpcProcess open(RpcConfig config);

  /** The process whose event runs on the calling thread, or null. */
  RpcProcess current();

  /** The processes open in this JVM, oldest first. */
  List<RpcProcess> openProcesses();

  /** See {@link dev.moonwire.rpc.Rpc#sender()}. */
  default dev.moonwire.rpc.ProcessId sender() {
    throw new IllegalStateException("Rpc.sender : this runtime does not tell senders");
  }

  /** See {@link RpcFuture#allOf}. */
  default RpcFuture<Void> allOf(RpcFuture<?>[] futures) {
    throw new IllegalStateException(
        "RpcFuture.allOf needs the synchronous layer: put dev.moonwire:rpc-sync on the class path");
  }

  /** See {@link RpcFuture#anyOf}. */
  default RpcFuture<Object> anyOf(RpcFuture<?>[] futures) {
    throw new IllegalStateException(
        "RpcFuture.anyOf needs the synchronous layer: put dev.moonwire:rpc-sync on the class path");
  }
}
