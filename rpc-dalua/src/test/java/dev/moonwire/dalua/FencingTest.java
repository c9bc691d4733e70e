package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.internal.directory.HubDirectory;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Membership epochs and fencing on the hub directory (issue 20 §2.2, §2.3): a member cut off
 * past the failure detector is dropped, learns it, cannot enter a mutex with its old state, and
 * joins again in a new epoch; a process restarted at the same address is a new member.
 */
class FencingTest extends ProcessTestSupport {
  private static final String GROUP = "g";

  /** A scheduler the test runs by hand: the member's confirmations happen only when told. */
  static final class ManualScheduler implements Scheduler {
    private final List<Runnable> due = new ArrayList<>();

    @Override
    public synchronized Runnable schedule(Runnable task, Duration delay) {
      due.add(task);
      return () -> {
        synchronized (this) {
          due.remove(task);
        }
      };
    }

    void runDue() {
      List<Runnable> now;
      synchronized (this) {
        now = List.copyOf(due);
        due.clear();
      }
      now.forEach(Runnable::run);
    }
  }

  /** Keeps the mutex's members to the group's, as an application does (ChaosMember). */
  private static Mutex mutexOfTheGroup(Dalua d) {
    Mutex m = d.mutex("m", d.apps().processes(GROUP));
    d.events().monitor(Dalua.APP_JOIN, (e, a) -> {
      if (!a.get(1, ProcessId.class).equals(d.self())) {
        m.add(a.get(1, ProcessId.class));
      }
    });
    d.events().monitor(Dalua.APP_LEAVE, (e, a) -> {
      if (!a.get(1, ProcessId.class).equals(d.self())) {
        m.remove(a.get(1, ProcessId.class), a.longAt(2)); // the hub names the epoch that ended
      }
    });
    return m;
  }

  private static void enterAndLeave(Mutex m) {
    m.enter();
    m.leave();
  }

  @Test
  void aMemberCutOffPastTheDetector_isFenced_failsTyped_seesItsOwnLeave_andRejoinsInANewEpoch()
      throws Exception {
    RpcProcess hubProcess = open();
    Directory hub = Directory.hostedBy(hubProcess.id());
    Dalua.attach(hubProcess, hub).apps().create(GROUP);
    Dalua a = Dalua.attach(open(), hub);
    ManualScheduler xConfirms = new ManualScheduler();
    AtomicLong xClock = new AtomicLong(); // x's lease clock, nanoseconds
    Dalua x = Dalua.attach(open(), new HubDirectory(hubProcess.id(), xConfirms, xClock::get));
    a.apps().join(GROUP);
    x.apps().join(GROUP);
    long firstEpoch = x.epoch();
    assertTrue(firstEpoch > 0, "epoch " + firstEpoch);
    Mutex ma = mutexOfTheGroup(a);
    Mutex mx = mutexOfTheGroup(x);
    enterAndLeave(mx); // x takes part: a knows its epoch from its request
    List<Object> xSawLeave = new CopyOnWriteArrayList<>();
    x.events().monitor(Dalua.APP_LEAVE, (e, args) -> xSawLeave.add(args.get(1)));
    AtomicBoolean aSawXLeave = new AtomicBoolean();
    a.events().monitor(Dalua.APP_LEAVE, (e, args) -> aSawXLeave.compareAndSet(false,
        args.get(1, ProcessId.class).equals(x.self())));

    // x is cut off: what it receives is held past its connections' life, which are cut
    // every 100 ms, so the hub's pings fail until its detector drops x
    RuntimeProcess xRuntime = (RuntimeProcess) x.process();
    xRuntime.injectFaults((peer, message) -> 1_000);
    long cutFrom = System.nanoTime();
    while (!aSawXLeave.get()) {
      xRuntime.cutConnections();
      assertTrue(System.nanoTime() - cutFrom < Duration.ofSeconds(30).toNanos(),
          "the hub never dropped x");
      Thread.onSpinWait();
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    xRuntime.injectFaults(null); // x is back, knowing nothing yet
    enterAndLeave(ma); // a goes on without x

    // x's next DALua operation: a typed error, and x sees its own leave
    FencedException fenced = assertThrows(FencedException.class,
        () -> x.apps().processes(GROUP));
    assertTrue(fenced.getMessage().contains("epoch " + firstEpoch), fenced.getMessage());
    await().atMost(Duration.ofSeconds(5)).until(() -> xSawLeave.contains(x.self()));
    assertThrows(FencedException.class, mx::enter, "entered with the state of an ended view");
    assertThrows(FencedException.class, () -> x.mutex("m", List.of(x.self(), a.self())));

    // x joins again: a new epoch, and its mutex made anew takes turns with a's
    x.apps().join(GROUP);
    assertTrue(x.epoch() > firstEpoch, x.epoch() + " after " + firstEpoch);
    Mutex again = mutexOfTheGroup(x);
    await().atMost(Duration.ofSeconds(5)).until(() -> ma.others().contains(x.self()));
    RpcFuture<Object> aIn = a.process().submit(() -> {
      enterAndLeave(ma);
      return "a in";
    });
    enterAndLeave(again);
    assertEquals("a in", aIn.join());
    takeUncaught(); // x's refused sends while cut off, and the hub's failed pings
  }

  @Test
  void aMemberWhoseLeaseRanOut_confirmsBeforeEntering_andLearnsThatItWasDropped() {
    RpcProcess hubProcess = open();
    Directory hub = Directory.hostedBy(hubProcess.id());
    Dalua.attach(hubProcess, hub).apps().create(GROUP);
    ManualScheduler xConfirms = new ManualScheduler();
    AtomicLong xClock = new AtomicLong();
    Dalua x = Dalua.attach(open(), new HubDirectory(hubProcess.id(), xConfirms, xClock::get));
    x.apps().join(GROUP);
    Mutex mx = mutexOfTheGroup(x);
    enterAndLeave(mx); // alone in its group: granted at once, the lease fresh

    // the hub drops x as its detector would (x was frozen); x hears nothing of it
    Dalua observer = Dalua.attach(open(), hub);
    x.process().send(hubProcess.id(), "dalua.dir.drop", x.self());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> !observer.apps().processes(GROUP).contains(x.self()));
    enterAndLeave(mx); // within its lease, x cannot know: alone, nothing is at stake

    xClock.addAndGet(Duration.ofSeconds(3).toNanos()); // frozen past its lease
    assertThrows(FencedException.class, mx::enter);
    assertThrows(FencedException.class, () -> x.apps().processes(GROUP));
  }

  @Test
  void aProcessRestartedAtTheSameAddress_isANewMember_theOldLeavesAndTheNewJoins() {
    RpcProcess hubProcess = open();
    Directory hub = Directory.hostedBy(hubProcess.id());
    Dalua.attach(hubProcess, hub).apps().create(GROUP);
    Dalua a = Dalua.attach(open(), hub);
    a.apps().join(GROUP);
    RpcProcess old = open();
    int port = old.id().port();
    List<String> seen = new CopyOnWriteArrayList<>(); // what a hears of the address's members
    a.events().monitor(Dalua.APP_JOIN, (e, args) -> {
      if (args.get(1, ProcessId.class).equals(old.id())) {
        seen.add("join " + args.get(2));
      }
    });
    a.events().monitor(Dalua.APP_LEAVE, (e, args) -> {
      if (args.get(1, ProcessId.class).equals(old.id())) {
        seen.add("leave " + args.get(2));
      }
    });
    Dalua x = Dalua.attach(old, hub);
    x.apps().join(GROUP);
    long oldEpoch = x.epoch();
    Mutex ma = mutexOfTheGroup(a);
    enterAndLeave(mutexOfTheGroup(x));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(
        () -> assertEquals(List.of("join " + oldEpoch), seen, "uncaught: " + uncaught));

    old.close(); // killed: its session says nothing to the hub
    Dalua restarted = Dalua.attach(await().atMost(Duration.ofSeconds(10))
        .ignoreExceptions().until(() -> open(RpcConfig.defaults().withPort(port)), p -> true),
        hub);
    restarted.apps().join(GROUP);

    assertTrue(restarted.epoch() > oldEpoch, restarted.epoch() + " after " + oldEpoch);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
    assertEquals(List.of("join " + oldEpoch, "leave " + oldEpoch,
        "join " + restarted.epoch()), seen);
    Mutex mr = mutexOfTheGroup(restarted);
    RpcFuture<Object> aIn = a.process().submit(() -> {
      enterAndLeave(ma);
      return "a in";
    });
    enterAndLeave(mr);
    assertEquals("a in", aIn.join());
    takeUncaught(); // sends to the old process as it closed
  }
}
