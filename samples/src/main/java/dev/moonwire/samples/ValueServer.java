package dev.moonwire.samples;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.io.IOException;

/**
 * A server program of seed 000: one process that exports {@code getValue}. Prints
 * {@code READY <port>} once it listens, and ends when its standard input closes (so a parent
 * that dies takes it along). Given several values, a spawned child serves the one at its
 * index ({@code moonwire.spawn.index}).
 *
 * <pre>java dev.moonwire.samples.ValueServer [port] [value...]</pre>
 */
public final class ValueServer {
  private ValueServer() {}

  private static int currentValue;

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int index = Integer.getInteger("moonwire.spawn.index", 0);
    currentValue = args.length > 1 + index ? Integer.parseInt(args[1 + index]) : 42;
    try (RpcProcess server = Rpc.open(RpcConfig.port(port))) {
      server.export("getValue", a -> currentValue);
      server.export("setValue", a -> currentValue = a.intAt(0));
      System.out.println("READY " + server.id().port());
      System.out.flush();
      while (System.in.read() != -1) {
        // wait for the parent to hang up
      }
    }
  }
}
