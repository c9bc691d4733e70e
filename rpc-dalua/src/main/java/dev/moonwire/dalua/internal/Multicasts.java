package dev.moonwire.dalua.internal;

import dev.moonwire.dalua.Multicast;
import dev.moonwire.dalua.internal.causal.CausalOrders;
import dev.moonwire.dalua.internal.total.TotalOrders;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The ordered multicasts of one DALua: the host the algorithms run in, their protocols
 * exported, and the {@link Multicast}s the API hands out, which hop onto the process's events
 * (where the algorithms' state lives) from whatever thread calls them.
 */
public final class Multicasts implements MulticastHost {
  private final RpcProcess process;
  private final Function<String, List<ProcessId>> directory;
  private final Liveness liveness;
  private final Scheduler scheduler;
  private final Reports reports;
  private final HeldBytes heldBytes = new HeldBytes();
  private final GroupMembers groupMembers;
  private final TotalOrders total;
  private final CausalOrders causal;

  /**
   * Exports total and causal order's protocols on {@code process}.
   *
   * @param directory reads a group's members (may suspend the event)
   * @param maxApps how many groups a peer's messages may make multicast state for, here
   */
  public Multicasts(RpcProcess process, Function<String, List<ProcessId>> directory,
      int maxApps, Liveness liveness, Scheduler scheduler, Reports reports) {
    this.process = process;
    this.directory = directory;
    this.liveness = liveness;
    this.scheduler = scheduler;
    this.reports = reports;
    this.groupMembers = new GroupMembers(directory, maxApps);
    this.total = new TotalOrders(this).export();
    this.causal = new CausalOrders(this).export();
  }

  /**
   * Total order in {@code app}: each send queued as an event, in the order of the calls; it
   * then waits while this sender's queue of messages not yet in the protocol is full.
   */
  public Multicast total(String app) {
    return (function, args) -> waitForRoom(onProcess(() -> total.send(app, function, args)));
  }

  /**
   * Causal order in {@code app}. A send is stamped on an event of the process — at once when
   * made on one — and then waits while a member's queue of messages not yet taken is full:
   * inside an event it suspends it, elsewhere it blocks.
   */
  public Multicast causal(String app) {
    return (function, args) -> waitForRoom(onProcess(() -> causal.send(app, function, args)));
  }

  /** Back-pressure: inside an event it suspends, elsewhere it blocks, until {@code room}. */
  private void waitForRoom(CompletableFuture<Void> room) {
    if (room.isDone()) {
      return;
    }
    if (EventConfinement.onEventOf(process())) {
      process().await(room);
      return;
    }
    waitOutside(room);
  }

  private void waitOutside(CompletableFuture<Void> room) {
    while (true) {
      try {
        room.get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException stillFull) {
        if (process().isClosed()) {
          throw new ProcessClosedException("multicast send: " + process().id() + " closed "
              + "while the send waited for room");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("multicast send: interrupted while waiting for room",
            e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("multicast send: " + e.getCause(), e.getCause());
      }
    }
  }

  /** Runs {@code step} now if on an event of the process, else as one, and waits for it. */
  private <T> T onProcess(Supplier<T> step) {
    if (EventConfinement.onEventOf(process())) {
      return step.get();
    }
    return process().submit(step::get).join();
  }

  /** Messages held back in {@code app}'s orders here (for tests). */
  public int heldBack(String app) {
    return onProcess(() -> total.heldBack(app) + causal.heldBack(app));
  }

  /** Causal messages sent in {@code app} and not yet taken by some member (for tests). */
  public int unacknowledged(String app) {
    return onProcess(() -> causal.unacknowledged(app));
  }

  /** How many groups have multicast state here (for tests). */
  public int groups() {
    return onProcess(() -> total.groups() + causal.groups());
  }

  @Override
  public RpcProcess process() {
    return process;
  }

  @Override
  public List<ProcessId> members(String app) {
    return directory.apply(app);
  }

  @Override
  public boolean isMember(String app, ProcessId p) {
    return groupMembers.contains(app, p);
  }

  @Override
  public Liveness liveness() {
    return liveness;
  }

  @Override
  public HeldBytes heldBytes() {
    return heldBytes;
  }

  @Override
  public Runnable schedule(Runnable task, Duration delay) {
    return scheduler.schedule(task, delay);
  }

  @Override
  public void memberGone(ProcessId member, String algorithm, String done) {
    reports.memberGone(member, algorithm, done);
  }

  @Override
  public void report(RuntimeException e) {
    reports.report(e);
  }
}
