package dev.moonwire.csp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.CallHeaders;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcObserver;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A buffered remote channel as a stream: values several to a call under the owner's credit. */
class RemoteStreamTest extends ProcessTestSupport {

  private static <T> T within(RpcFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  /** Counts the writer's calls to the channel's functions, and those refused as overloaded. */
  private static final class Calls implements RpcObserver {
    final AtomicInteger made = new AtomicInteger();
    final AtomicInteger overloaded = new AtomicInteger();

    @Override
    public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
      if (!function.startsWith("csp.channel.")) {
        return null;
      }
      made.incrementAndGet();
      return (outcome, nanos, out, in) -> {
        if (outcome == RpcException.Kind.OVERLOADED) {
          overloaded.incrementAndGet();
        }
      };
    }
  }

  @Test
  void aThousandValuesThroughDepth64_travelSeveralToACall_inOrder() throws Exception {
    RpcProcess owner = open();
    Calls calls = new Calls();
    RpcProcess writer = open(RpcConfig.defaults().withObserver(calls));
    Channel<Integer> ch = Channel.create(64);
    Channels.export(owner, "stream", ch, Integer.class);
    Channel<Integer> remote = Channels.remote(writer, owner.id(), "stream", Integer.class);
    int n = 1_000;
    RpcFuture<Object> writes = writer.submit(() -> {
      for (int i = 0; i < n; i++) {
        remote.write(i);
      }
      remote.close();
      return null;
    });
    for (int i = 0; i < n; i++) {
      assertEquals(i, ch.read(), "the writer's order kept");
    }
    within(writes);
    assertThrows(ChannelClosedException.class, ch::read, "nothing more was written");
    // A call per value would be at least 1,000 (and a grant now and then on top).
    assertTrue(calls.made.get() < n / 4, calls.made.get() + " calls for " + n + " values");
    System.out.println(calls.made.get() + " calls for " + n + " values through depth 64");
  }

  /**
   * The owner's byte budget is full when a batch of 3 values arrives: the batch is refused as a
   * whole, and the writer's next operation fails naming 3; the value that got in stays, and
   * the writer streams on with the credit given back.
   */
  @Test
  void aBatchTheOwnersBudgetRefuses_failsTheWritersNextOperation_namingItsCount()
      throws Exception {
    RpcProcess owner = open(RpcConfig.defaults().withMaxQueuedBytes(64 * 1024));
    Calls calls = new Calls();
    RpcProcess writer = open(RpcConfig.defaults().withObserver(calls));
    RpcProcess hog = open();
    Channel<String> ch = Channel.create(8);
    for (int i = 0; i < 8; i++) {
      assertTrue(ch.offer("local " + i)); // full: the first value pushed waits at the owner
    }
    Channels.export(owner, "cells", ch, String.class);
    Channel<String> remote = Channels.remote(writer, owner.id(), "cells", String.class);
    String big = "x".repeat(3_000);
    within(writer.submit(() -> {
      for (int i = 1; i <= 4; i++) { // 4 on the credit of the first grant (half of 8)
        remote.write(i + big);
      }
      return null;
    }));
    // Value 1 went alone and waits in the owner's channel; 2..4 gathered behind it. Now a hog
    // holds nearly all that is left of the owner's 64 KiB while value 1's batch is held too.
    CountDownLatch holding = new CountDownLatch(1);
    Channel<Integer> release = Channel.create(1);
    owner.export("hold", args -> {
      holding.countDown();
      return release.read();
    });
    RpcFuture<Object> hold = hog.future(owner.id(), "hold").withDeadline(Duration.ofSeconds(30))
        .call("h".repeat(56 * 1024));
    assertTrue(holding.await(20, TimeUnit.SECONDS));
    assertEquals("local 0", ch.read()); // value 1 gets in: its answer sends the batch 2..4
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.overloaded.get() == 1);

    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> within(writer.submit(() -> {
          remote.write("5");
          return null;
        })), "the next write tells the refusal");
    OverloadedException e = assertInstanceOf(OverloadedException.class, failed.getCause());
    assertTrue(e.getMessage().startsWith("3 values written to channel cells"), e.getMessage());

    assertTrue(release.offer(1));
    within(hold);
    RpcFuture<Object> more = writer.submit(() -> {
      remote.write("6" + big); // the stream goes on
      remote.close(); // once "6" is in
      return null;
    });
    for (int i = 1; i < 8; i++) {
      assertEquals("local " + i, ch.read());
    }
    assertEquals("1" + big, ch.read());
    assertEquals("6" + big, ch.read(), "2..4 were refused, told, and never arrived");
    within(more);
    assertThrows(ChannelClosedException.class, ch::read);
  }
}
