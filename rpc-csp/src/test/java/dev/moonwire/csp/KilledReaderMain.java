package dev.moonwire.csp;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A reader in a child JVM that takes one value of channel {@code args[1]} at port
 * {@code args[0]} and holds it: the value is on loan at the owner, never acknowledged (it takes
 * through the protocol's own call, as a reader killed between the reply and its acknowledgement
 * would have). Prints {@code TOOK value}, then waits to be killed.
 */
public final class KilledReaderMain {
  public static void main(String[] args) throws Exception {
    RpcProcess process = Rpc.open(RpcConfig.defaults());
    ProcessId owner = ProcessId.of("127.0.0.1", Integer.parseInt(args[0]));
    CompletableFuture<Object> took = new CompletableFuture<>();
    process.async(owner, "csp.channel." + args[1] + ".take", took::complete,
        took::completeExceptionally).call(1L);
    Object[] reply = (Object[]) took.get(30, TimeUnit.SECONDS);
    System.out.println("TOOK " + reply[1]);
    System.out.flush();
    new CompletableFuture<Void>().get(); // until killed
  }
}
