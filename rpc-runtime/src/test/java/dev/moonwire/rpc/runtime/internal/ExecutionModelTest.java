package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.testing.ProcessTestSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** DESIGN §2 for asynchronous code: one event at a time, in order, never on an I/O thread. */
class ExecutionModelTest extends ProcessTestSupport {
  private int counter; // a plain field, touched only by the server's events

  @Test
  void tenThousandConcurrentCallsFromFourProcesses_plainIntCounter_countsExactly()
      throws Exception {
    RpcProcess server = open();
    server.export("increment", args -> ++counter);
    List<RpcProcess> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clients.add(open());
    }
    CountDownLatch replies = new CountDownLatch(10_000);
    AtomicInteger failures = new AtomicInteger();

    // 4 processes × 2,500 calls, sent from 4 threads at once
    List<Thread> senders = new ArrayList<>();
    for (RpcProcess client : clients) {
      var increment = client.async(server.id(), "increment", v -> replies.countDown(),
          e -> failures.incrementAndGet());
      senders.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 2_500; i++) {
          increment.call();
        }
      }));
    }
    for (Thread t : senders) {
      t.join();
    }

    assertTrue(replies.await(60, TimeUnit.SECONDS), "replies missing: " + replies.getCount());
    assertEquals(0, failures.get());
    CompletableFuture<Integer> seen = new CompletableFuture<>();
    server.execute(() -> seen.complete(counter));
    assertEquals(10_000, get(seen));
  }

  @Test
  void callbacks_neverOverlap_andNeverRunOnIoThreads() throws Exception {
    List<RpcProcess> servers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RpcProcess s = open();
      s.export("echo", args -> args.get(0));
      servers.add(s);
    }
    RpcProcess client = open();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger onIoThread = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(3 * 2_000);

    var echo = client.async(servers.stream().map(RpcProcess::id).toList(), "echo", v -> {
      int now = inside.incrementAndGet();
      maxInside.accumulateAndGet(now, Math::max);
      if (Thread.currentThread().getName().startsWith("moonwire-io")) {
        onIoThread.incrementAndGet();
      }
      // some work inside the callback widens the window in which an overlap would show
      long sum = 0;
      for (int i = 0; i < 2_000; i++) {
        sum += i ^ (long) v.hashCode();
      }
      if (sum == 42) {
        throw new AssertionError();
      }
      inside.decrementAndGet();
      done.countDown();
    });
    for (int i = 0; i < 2_000; i++) {
      echo.call(i);
    }

    assertTrue(done.await(60, TimeUnit.SECONDS));
    assertEquals(1, maxInside.get(), "callbacks overlapped");
    assertEquals(0, onIoThread.get(), "callbacks ran on an I/O thread");
  }

  @Test
  void requestsFromOneProcess_startInTheOrderSent() throws Exception {
    RpcProcess server = open();
    List<Integer> order = new ArrayList<>(); // server events only
    server.export("log", args -> {
      order.add(args.intAt(0));
      return null;
    });
    RpcProcess client = open();
    CountDownLatch done = new CountDownLatch(1_000);
    var log = client.async(server.id(), "log", v -> done.countDown());

    for (int i = 0; i < 1_000; i++) {
      log.call(i);
    }

    assertTrue(done.await(30, TimeUnit.SECONDS));
    CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
    server.execute(() -> seen.complete(List.copyOf(order)));
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      expected.add(i);
    }
    assertEquals(expected, get(seen));
  }
}
