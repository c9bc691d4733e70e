package dev.moonwire.csp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The registry of exported channels. */
class ChannelsTest extends ProcessTestSupport {

  @Test
  void closedOwner_itsExportsLeaveTheRegistry_withoutAnotherExport() {
    RpcProcess owner = open();
    Channel<String> ch = Channel.create(1);
    Channels.export(owner, "jobs", ch, String.class);
    assertTrue(Channels.registered(owner, "jobs"));
    owner.close();
    // The registry held the closed process (and its channels) until the next export anywhere.
    await().atMost(Duration.ofSeconds(10)).until(() -> !Channels.registered(owner, "jobs"));
  }
}
