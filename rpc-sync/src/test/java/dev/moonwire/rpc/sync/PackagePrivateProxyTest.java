package dev.moonwire.rpc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import org.junit.jupiter.api.Test;

/** A proxy of an interface that is not public, as users declare them next to their code. */
class PackagePrivateProxyTest extends ProcessTestSupport {
  interface Greeter {
    String name();

    default String greet() {
      return "hello, " + name();
    }
  }

  @Test
  void defaultMethodsOfANonPublicInterface_runLocally_andCallTheRemoteOnes() {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export(Greeter.class, () -> "moon");

    Greeter greeter = client.sync(server.id(), Greeter.class);

    // Before: UndeclaredThrowableException (IllegalAccessException from RemoteProxy).
    assertEquals("hello, moon", greeter.greet());
  }
}
