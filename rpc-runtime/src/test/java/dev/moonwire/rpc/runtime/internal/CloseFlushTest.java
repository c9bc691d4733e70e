package dev.moonwire.rpc.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A process that sends and then closes: what it sent goes out before its connections close. */
class CloseFlushTest extends ProcessTestSupport {
  @Test
  void oneWaySendsMadeJustBeforeClose_allArrive() {
    RpcProcess receiver = open();
    AtomicInteger got = new AtomicInteger();
    receiver.export("note", a -> got.incrementAndGet());
    RpcProcess sender = open();
    sender.send(receiver.id(), "note", 0); // connected and handshaken first
    await().atMost(Duration.ofSeconds(10)).until(() -> got.get() == 1);

    for (int i = 1; i <= 2000; i++) {
      sender.send(receiver.id(), "note", i);
    }
    sender.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> got.get() == 2001);
    assertEquals(0, ((RuntimeProcess) sender).failedSends(), "sends reported as not sent");
  }

  @Test
  void sendsOnAConnectionStillBeingDialled_whenCloseComes_arrive() {
    RpcProcess receiver = open();
    AtomicInteger got = new AtomicInteger();
    receiver.export("note", a -> got.incrementAndGet());
    RpcProcess sender = open();

    for (int i = 0; i < 100; i++) {
      sender.send(receiver.id(), "note", i); // the first dials; none is sent yet
    }
    sender.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> got.get() == 100);
    assertEquals(0, ((RuntimeProcess) sender).failedSends(), "sends reported as not sent");
  }

  @Test
  void close_waitsWithinItsGrace_forOneWayHandlersRunningAndQueued() throws Exception {
    RpcProcess receiver = open();
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger done = new AtomicInteger();
    receiver.export("work", a -> {
      started.countDown();
      release.await();
      return done.incrementAndGet();
    });
    RpcProcess sender = open();
    for (int i = 0; i < 3; i++) {
      sender.send(receiver.id(), "work", i);
    }
    started.await(10, java.util.concurrent.TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> receiver.stats().queuedEvents() >= 2);

    Thread closer = new Thread(receiver::close);
    closer.start();
    // either close() waits in its grace, or (without it) it has already ended
    await().atMost(Duration.ofSeconds(10)).until(
        () -> closer.getState() == Thread.State.TIMED_WAITING || !closer.isAlive());
    release.countDown();
    closer.join(10_000);

    assertEquals(3, done.get(), "one-way handlers finished before close() returned");
  }
}
