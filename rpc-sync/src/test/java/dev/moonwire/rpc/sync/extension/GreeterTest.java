package dev.moonwire.rpc.sync.extension;

import dev.moonwire.rpc.testing.MoonwireExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.RpcProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A user's test of a service, as README shows it: two processes, one call, nothing else. */
@ExtendWith(MoonwireExtension.class)
class GreeterTest {
  @Test
  void greets(RpcProcess server, RpcProcess client) {
    server.export("greet", args -> "hello " + args.stringAt(0));
    assertEquals("hello ana", client.sync(server.id(), "greet").call("ana"));
  }
}
