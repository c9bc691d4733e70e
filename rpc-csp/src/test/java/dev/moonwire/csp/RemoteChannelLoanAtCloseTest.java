package dev.moonwire.csp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A value on loan when its channel is closed: found by the producer-consumer sample, which has
 * to close its channel only once every value was reported, or lose the one given back.
 */
class RemoteChannelLoanAtCloseTest extends ProcessTestSupport {

  @Test
  void closedWhileAValueIsOnLoan_aReaderStillGetsTheValueGivenBack_thenTheEnd()
      throws Exception {
    RpcProcess owner = open();
    RpcProcess rogue = open();
    RpcProcess reader = open();
    Channel<String> ch = Channel.create(4);
    Channels.export(owner, "jobs", ch, String.class);
    assertEquals(true, ch.offer("job-1"));

    // A reader takes by the protocol's own call and dies without acknowledging.
    CompletableFuture<Object> took = new CompletableFuture<>();
    rogue.async(owner.id(), "csp.channel.jobs.take", took::complete, took::completeExceptionally)
        .call(1L);
    assertEquals("job-1", ((Object[]) took.get(10, TimeUnit.SECONDS))[1]);
    ch.close(); // the producer is done: it wrote everything
    rogue.close();

    // "job-1" is not lost: it comes back about a second later; until its loan is settled the
    // closed channel is not drained, so a reader waits for it instead of hearing the end.
    Channel<String> remote = Channels.remote(reader, owner.id(), "jobs", String.class);
    RpcFuture<String> read = reader.submit(remote::read);
    assertEquals("job-1", read.get(10, TimeUnit.SECONDS));
    assertThrows(ChannelClosedException.class, remote::read);
  }
}
