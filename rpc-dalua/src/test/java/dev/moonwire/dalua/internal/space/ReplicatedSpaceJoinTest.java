package dev.moonwire.dalua.internal.space;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.Scheduler;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A joiner's sync, driven by hand: its total order is a loop back to itself, and the other
 * members are processes exporting a scripted {@link SpacePeer}.
 */
@org.junit.jupiter.api.Timeout(60)
class ReplicatedSpaceJoinTest extends ProcessTestSupport {
  private static final String G = "g";

  /** A host whose total order holds this process alone: every op comes back as its event. */
  static final class LoopHost implements SpaceHost {
    final RpcProcess process;
    final Scheduler scheduler;
    volatile List<ProcessId> members;
    final List<SpaceOp> sent = new CopyOnWriteArrayList<>();
    /** The ops sent from outside the process's events (from a caller or a timer thread). */
    final List<SpaceOp> sentOffEvents = new CopyOnWriteArrayList<>();
    final List<RuntimeException> reported = new CopyOnWriteArrayList<>();
    volatile ReplicatedSpace space;

    LoopHost(RpcProcess process, Scheduler scheduler) {
      this.process = process;
      this.scheduler = scheduler;
    }

    ReplicatedSpace start() {
      space = new ReplicatedSpace(this, G, SpaceLimits.DEFAULT);
      process.execute(space::startSync);
      return space;
    }

    String status() {
      return process.submit(space::status).join();
    }

    @Override
    public RpcProcess process() {
      return process;
    }

    @Override
    public void multicast(String group, SpaceOp op) {
      sent.add(op);
      if (!EventConfinement.onEventOf(process)) {
        sentOffEvents.add(op);
      }
      process.execute(() -> space.deliver(op));
    }

    @Override
    public List<ProcessId> members(String group) {
      return members;
    }

    @Override
    public Scheduler scheduler() {
      return scheduler;
    }

    @Override
    public void report(RuntimeException e) {
      reported.add(e);
    }
  }

  /** Another member: answers status as scripted, takes chunks. */
  static class Peer implements SpacePeer {
    private final Function<String, String> status;

    Peer(Function<String, String> status) {
      this.status = status;
    }

    @Override public void out(SpaceOp.Out op) {}
    @Override public void ask(SpaceOp.Ask op) {}
    @Override public void cancel(SpaceOp.Cancel op) {}
    @Override public void done(SpaceOp.Done op) {}
    @Override public void expire(SpaceOp.Expire op) {}
    @Override public void gone(SpaceOp.Gone op) {}
    @Override public void sync(SpaceOp.Sync op) {}

    @Override
    public Boolean state(StateChunk chunk) {
      return Boolean.TRUE;
    }

    @Override
    public String status(String group) {
      return status.apply(group);
    }
  }

  @Test
  void join_holdersStatusCallFails_asksAgain_neverFoundsASecondSpace() {
    AtomicInteger asked = new AtomicInteger();
    RpcProcess holder = open().export(SpacePeer.PREFIX, SpacePeer.class, new Peer(g -> {
      if (asked.incrementAndGet() == 1) {
        throw new OverloadedException("holder busy (as a slow or paused holder's call fails)");
      }
      return "synced";
    }));
    LoopHost joiner = new LoopHost(open(), Scheduler.SYSTEM);
    joiner.members = List.of(joiner.process.id(), holder.id());
    joiner.start();

    await().until(() -> asked.get() >= 2 || joiner.status().equals("synced"));
    await().until(() -> asked.get() >= 2);
    assertTrue(joiner.status().startsWith("syncing:"),
        "the joiner founded an empty space beside a holder: " + joiner.status());
  }

  @Test
  void join_holderFailsThenLeavesTheDirectory_joinerFoundsTheSpace() {
    AtomicInteger asked = new AtomicInteger();
    LoopHost joiner = new LoopHost(open(), Scheduler.SYSTEM);
    RpcProcess holder = open().export(SpacePeer.PREFIX, SpacePeer.class, new Peer(g -> {
      asked.incrementAndGet();
      joiner.members = List.of(joiner.process.id()); // it leaves as its call fails
      throw new OverloadedException("leaving");
    }));
    joiner.members = List.of(joiner.process.id(), holder.id());
    joiner.start();

    await().until(() -> joiner.status().equals("synced"));
    assertEquals(1, asked.get());
  }

  @Test
  void join_transferStallsAfterAChunk_syncStartsAgain() {
    ManualScheduler clock = new ManualScheduler();
    AtomicInteger asked = new AtomicInteger();
    RpcProcess donor = open().export(SpacePeer.PREFIX, SpacePeer.class, new Peer(g -> {
      asked.incrementAndGet();
      return "synced";
    }));
    LoopHost joiner = new LoopHost(open(), clock);
    joiner.members = List.of(joiner.process.id(), donor.id());
    ReplicatedSpace s = joiner.start();
    await().until(() -> asked.get() == 1);
    long syncId = ((SpaceOp.Sync) joiner.sent.get(0)).id();
    StateChunk first = new StateChunk(G, syncId, 0, false, List.of(), List.of(), List.of(),
        List.of(), List.of(), -1, List.of());
    joiner.process.submit(() -> {
      s.receive(first, donor.id());
      return null;
    }).join(); // the donor dies here: no second chunk comes

    for (int i = 0; i < 6 && syncs(joiner) < 2; i++) {
      clock.advance(ReplicatedSpace.SYNC_RETRY);
      await().until(() -> clock.pending() > 0 || syncs(joiner) >= 2);
    }
    assertEquals(2, syncs(joiner), "the stalled sync was never sent again");
  }

  private static long syncs(LoopHost h) {
    return h.sent.stream().filter(op -> op instanceof SpaceOp.Sync).count();
  }

  @Test
  void inWithTimeout_timerFires_cancelSentFromAnEventNotTheSchedulerThread() {
    ManualScheduler clock = new ManualScheduler(); // advance() runs the timers on this thread
    LoopHost alone = new LoopHost(open(), clock);
    alone.members = List.of(alone.process.id());
    ReplicatedSpace s = alone.start();
    await().until(() -> alone.status().equals("synced"));
    CompletableFuture<Optional<Tuple>> in = CompletableFuture.supplyAsync(
        () -> s.in(Template.of("k"), Duration.ofSeconds(1)));
    await().until(() -> alone.sent.stream().anyMatch(op -> op instanceof SpaceOp.Ask)
        && clock.pending() > 0);

    clock.advance(Duration.ofSeconds(1));

    assertEquals(Optional.empty(), in.join());
    await().until(() -> alone.sent.stream().anyMatch(op -> op instanceof SpaceOp.Cancel));
    assertTrue(alone.sentOffEvents.stream().noneMatch(op -> op instanceof SpaceOp.Cancel),
        "the time-out's Cancel was sent from the scheduler thread: " + alone.sentOffEvents);
  }
}
