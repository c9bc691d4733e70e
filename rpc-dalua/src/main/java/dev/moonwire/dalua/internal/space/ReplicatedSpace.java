package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.Lease;
import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Taken;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.dalua.internal.HeldBytes;
import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code dalua.space(group)} at one member: its {@link Replica} and its requests in flight.
 *
 * <p><b>Joining.</b> A new copy sends a {@link SpaceOp.Sync} into the order and ignores what
 * comes before it. The member that holds the state longest (the replicated {@code holders}
 * list) applies the Sync like everyone and then sends the state as it stands at that point, in
 * {@link StateChunk}s; the joiner buffers what comes after its Sync, loads the chunks, applies
 * the buffer, and only then serves its callers. If no member holds the state — each answers
 * {@code status} with none, or with a Sync of its own that comes after this one — the joiner
 * founds the space, empty. A member whose status call fails is asked again while the directory
 * holds it a member: an error never founds a second space. A sync that brings no new chunk
 * within {@link #SYNC_RETRY} (its donor died meanwhile, even mid-transfer) is sent again.
 *
 * <p>Threading: the copy, the sync and the deliveries are confined to the process's events; the
 * requests' cells ({@link Pending}) are shared with the callers' threads.
 */
final class ReplicatedSpace implements TupleSpace {
  static final Duration SYNC_RETRY = Duration.ofSeconds(5);
  /** The most operations a joiner buffers while its state is on the way. */
  static final int MAX_BUFFERED = 1_000_000;
  private static final int REMEMBERED_SYNCS = 4_096;
  /** How long a joiner waits for a member's status; a failed call is asked again after {@link #STATUS_RETRY}. */
  static final Duration STATUS_DEADLINE = Duration.ofSeconds(10);
  static final Duration STATUS_RETRY = Duration.ofMillis(250);
  /** How many times a donor sends one chunk before it gives the transfer up. */
  static final int CHUNK_TRIES = 3;

  private enum Phase { SYNCING, SYNCED, LEFT }

  private final SpaceHost host;
  private final String group;
  private final SpaceLimits limits;
  private final ProcessId self;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  /** Set once this member left the group: every operation fails with it from then on. */
  private volatile GroupException left;
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  /** Request numbers start at random: a process restarted at the same address is another. */
  private final AtomicLong nextReq = new AtomicLong(ThreadLocalRandom.current().nextLong() >>> 2);

  // on the process's events only
  private Phase phase = Phase.SYNCING;
  private Replica replica;
  private long syncId;
  private boolean ownSyncSeen;
  private final Set<Long> syncsBefore = new LinkedHashSet<>();
  private final ArrayDeque<SpaceOp> buffer = new ArrayDeque<>();
  private final List<StateChunk> chunks = new ArrayList<>();
  private ProcessId chunkSender;
  private boolean asking;
  /** Members the directory held gone while this copy synced: their Gones go out once synced. */
  private final Set<ProcessId> leftWhileSyncing = new LinkedHashSet<>();

  ReplicatedSpace(SpaceHost host, String group, SpaceLimits limits) {
    this.host = host;
    this.group = group;
    this.limits = limits;
    this.self = host.process().id();
  }

  private void confined() {
    EventConfinement.check(host.process(), "tuple space '" + group + "'");
  }

  // ------------------------------------------------------------------ joining

  /** On an event: sends a Sync; called once when made, again if a sync brings nothing. */
  void startSync() {
    confined();
    if (phase != Phase.SYNCING) {
      return;
    }
    syncId = ThreadLocalRandom.current().nextLong();
    ownSyncSeen = false;
    buffer.clear();
    chunks.clear();
    chunkSender = null;
    asking = false;
    long id = syncId;
    host.multicast(group, new SpaceOp.Sync(group, self, id));
    retryIfStuck(id);
  }

  /**
   * Every {@link #SYNC_RETRY}: a sync that got no new chunk since the last look (its donor died
   * mid-transfer, or a chunk call failed for good) starts again; one still asking who holds the
   * state, or receiving chunks, goes on.
   */
  private void retryIfStuck(long id) {
    int seen = chunks.size();
    later(SYNC_RETRY, () -> {
      if (phase != Phase.SYNCING || syncId != id) {
        return;
      }
      if (asking || chunks.size() > seen) {
        retryIfStuck(id); // under way
      } else {
        startSync();
      }
    });
  }

  /** Syncs of others delivered here before this copy existed: they come before its own. */
  void syncsBefore(Set<Long> ids) {
    syncsBefore.addAll(ids);
  }

  /** On an event: what {@code status} answers a joiner. */
  String status() {
    confined();
    return switch (phase) {
      case SYNCED -> "synced";
      case SYNCING -> "syncing:" + syncId;
      case LEFT -> "none";
    };
  }

  /** On an event: an operation delivered in the group's order. */
  void deliver(SpaceOp op) {
    confined();
    switch (phase) {
      case SYNCED -> applyAndServe(op);
      case LEFT -> { }
      case SYNCING -> {
        if (!ownSyncSeen) {
          if (op instanceof SpaceOp.Sync s && s.joiner().equals(self) && s.id() == syncId) {
            ownSyncSeen = true;
            askWhoHoldsState();
            loadIfComplete();
          } else if (op instanceof SpaceOp.Sync s) {
            syncsBefore.add(s.id());
            if (syncsBefore.size() > REMEMBERED_SYNCS) {
              syncsBefore.remove(syncsBefore.iterator().next());
            }
          }
          return; // before this copy's Sync: in the state it will receive
        }
        if (buffer.size() >= MAX_BUFFERED) {
          host.report(new IllegalStateException("tuple space '" + group + "': " + MAX_BUFFERED
              + " operations came while the state was on its way; the sync starts again"));
          startSync();
          return;
        }
        buffer.add(op);
      }
    }
  }

  private void applyAndServe(SpaceOp op) {
    replica.apply(op);
    if (op instanceof SpaceOp.Sync s && !s.joiner().equals(self) && self.equals(replica.donor())) {
      sendState(s.joiner(), StateTransfer.cut(replica, s.id()), 0, 0);
    }
  }

  /**
   * Sends the chunks one at a time, each once the joiner took the one before; a part whose call
   * failed is sent again a few times before the transfer is given up (the joiner then syncs
   * again, its sync having stalled).
   */
  private void sendState(ProcessId joiner, List<StateChunk> parts, int i, int failures) {
    if (i >= parts.size() || host.process().isClosed()) {
      return;
    }
    host.process().<Object>async(joiner, Spaces.STATE, v -> sendState(joiner, parts, i + 1, 0),
        e -> {
          if (failures + 1 < CHUNK_TRIES) {
            sendState(joiner, parts, i, failures + 1);
          } else {
            host.report(new IllegalStateException("tuple space '" + group + "': the state for "
                + joiner + " stopped at part " + i + " of " + parts.size() + " after "
                + CHUNK_TRIES + " tries (it syncs again if it still wants it)", e));
          }
        })
        .withDeadline(Duration.ofSeconds(30)).call(parts.get(i));
  }

  /**
   * After this copy's Sync: asks every other member whether it holds the state. If none does,
   * and none is syncing from a Sync before this one, nobody will send any: this copy founds
   * the space.
   */
  private void askWhoHoldsState() {
    List<ProcessId> others;
    asking = true;
    try {
      others = new ArrayList<>(host.members(group)); // may suspend
    } catch (RpcException e) {
      asking = false;
      later(Duration.ofMillis(100), this::askWhoHoldsStateIfStill);
      return;
    }
    others.remove(self);
    long id = syncId;
    if (others.isEmpty()) {
      asking = false;
      found(id);
      return;
    }
    Tally tally = new Tally(others.size());
    for (ProcessId p : others) {
      askStatus(p, id, tally);
    }
  }

  /** The answers to one sync's status round: how many are missing, whether the state comes. */
  private static final class Tally {
    int missing;
    boolean coming;

    Tally(int missing) {
      this.missing = missing;
    }
  }

  private void askStatus(ProcessId p, long id, Tally tally) {
    host.process().<String>async(p, Spaces.STATUS, s -> {
      if ("synced".equals(s) || (s != null && s.startsWith("syncing:")
          && syncsBefore.contains(Long.parseLong(s.substring(8))))) {
        tally.coming = true;
      }
      answered(id, tally);
    }, e -> later(STATUS_RETRY, () -> askAgainIfMember(p, id, tally)))
        .withDeadline(STATUS_DEADLINE).call(group);
  }

  /**
   * A status call failed: the member may hold the state all the same (slow, overloaded, in a
   * pause), and founding an empty space beside it would split the group in two. So it is asked
   * again for as long as the directory holds it a member; only once it left does it count as
   * holding nothing.
   */
  private void askAgainIfMember(ProcessId p, long id, Tally tally) {
    if (phase != Phase.SYNCING || syncId != id) {
      return;
    }
    List<ProcessId> now;
    try {
      now = host.members(group); // may suspend
    } catch (RpcException e) {
      later(STATUS_RETRY, () -> askAgainIfMember(p, id, tally));
      return;
    }
    if (now.contains(p)) {
      askStatus(p, id, tally);
    } else {
      answered(id, tally);
    }
  }

  private void answered(long id, Tally tally) {
    if (--tally.missing == 0) {
      decided(id, tally.coming);
    }
  }

  private void askWhoHoldsStateIfStill() {
    if (phase == Phase.SYNCING && ownSyncSeen && !asking) {
      askWhoHoldsState();
    }
  }

  private void decided(long id, boolean stateComing) {
    if (syncId != id) {
      return; // an older sync's round: the current one asks for itself
    }
    asking = false;
    if (!stateComing) {
      found(id);
    }
  }

  /** Nobody holds the state: this copy starts it, empty, as of its Sync. */
  private void found(long id) {
    if (phase != Phase.SYNCING || syncId != id || !chunks.isEmpty()) {
      return;
    }
    replica = newReplica();
    replica.holders.add(self);
    replica.syncs.put(self, id);
    becomeSynced(Map.of());
  }

  private Replica newReplica() {
    return new Replica(group, limits, new Replica.Effects() {
      @Override
      public ProcessId self() {
        return self;
      }

      @Override
      public void answer(long req, Tuple t) {
        Pending p = pending.remove(req);
        if (p != null) {
          p.tryAnswer(t);
        }
      }

      @Override
      public void fail(long req, RuntimeException e) {
        Pending p = pending.remove(req);
        if (p != null) {
          p.tryFail(e);
        }
      }

      @Override
      public void leaseEnds(long seq, long millis) {
        startLease(seq, millis);
      }
    });
  }

  private void startLease(long seq, long millis) {
    later(Duration.ofMillis(Math.max(0, millis)), () -> {
      if (phase == Phase.SYNCED && replica.leases.containsKey(seq)) {
        host.multicast(group, new SpaceOp.Expire(group, seq));
      }
    });
  }

  /** On an event: a chunk of the state, from the member that holds it longest. */
  void receive(StateChunk c, ProcessId from) {
    confined();
    if (phase != Phase.SYNCING || c.syncId() != syncId || c.index() != chunks.size()
        || (chunkSender != null && !chunkSender.equals(from))) {
      return; // an old sync's, or out of turn: the donor's next try resends it all
    }
    chunkSender = from;
    chunks.add(c);
    loadIfComplete();
  }

  private void loadIfComplete() {
    if (!ownSyncSeen || chunks.isEmpty() || !chunks.get(chunks.size() - 1).last()) {
      return;
    }
    replica = newReplica();
    Map<Long, Long> leases = new HashMap<>();
    for (StateChunk c : chunks) {
      StateTransfer.load(replica, c, leases);
    }
    chunks.clear();
    becomeSynced(leases);
  }

  private void becomeSynced(Map<Long, Long> leases) {
    phase = Phase.SYNCED;
    leases.forEach(this::startLease);
    while (!buffer.isEmpty()) {
      applyAndServe(buffer.poll());
    }
    ready.complete(null);
    goneWhileSyncing();
  }

  /**
   * The Gones of the members that left while this copy synced, unless already applied or the
   * member is back (its Gone would then name its new copy); on a directory error none is sent.
   */
  private void goneWhileSyncing() {
    if (leftWhileSyncing.isEmpty()) {
      return;
    }
    List<ProcessId> gones = new ArrayList<>(leftWhileSyncing);
    leftWhileSyncing.clear();
    gones.removeIf(replica.gone::contains);
    if (gones.isEmpty()) {
      return;
    }
    List<ProcessId> members;
    try {
      members = host.members(group); // may suspend
    } catch (RpcException e) {
      return;
    }
    for (ProcessId p : gones) {
      if (!members.contains(p) && phase == Phase.SYNCED) {
        host.multicast(group, new SpaceOp.Gone(group, p, replica.syncOf(p)));
      }
    }
  }

  /** On an event: {@code p} left the group or died (the directory's verdict). */
  void left(ProcessId p) {
    confined();
    if (p.equals(self)) {
      phase = Phase.LEFT;
      GroupException e = new GroupException("tuple space '" + group + "': " + self
          + " left the group (expected: a member; join again and call dalua.space again)");
      left = e;
      ready.completeExceptionally(e);
      for (Long req : List.copyOf(pending.keySet())) {
        Pending w = pending.remove(req);
        if (w != null) {
          w.tryFail(e);
        }
      }
      return;
    }
    if (phase == Phase.SYNCED) {
      host.multicast(group, new SpaceOp.Gone(group, p, replica.syncOf(p)));
    } else if (phase == Phase.SYNCING) {
      leftWhileSyncing.add(p); // perhaps the only other holder: its Gone is this copy's to send
    }
  }

  boolean isLeft() {
    return phase == Phase.LEFT;
  }

  private void later(Duration d, Runnable task) {
    Runnable unused = host.scheduler().schedule(() -> {
      try {
        host.process().execute(task);
      } catch (ProcessClosedException closed) {
        // closed: nothing more to do
      }
    }, d);
  }

  // ------------------------------------------------------------------ requests

  private void awaitReady() {
    GroupException gone = left;
    if (gone != null) {
      throw gone;
    }
    if (!ready.isDone()) {
      host.process().await(ready);
    } else if (ready.isCompletedExceptionally()) {
      ready.join(); // throws the GroupException
    }
  }

  private void send(SpaceOp op) {
    host.multicast(group, op);
  }

  @Override
  public void out(Tuple tuple, Lease lease) {
    Objects.requireNonNull(tuple, "tuple");
    Objects.requireNonNull(lease, "lease");
    WireCheck.check(group, tuple);
    int kind = switch (lease.kind()) {
      case FOREVER -> SpaceOp.FOREVER;
      case TIMED -> SpaceOp.TIMED;
      case WHILE_ALIVE -> SpaceOp.WHILE_ALIVE;
    };
    long req = nextReq.getAndIncrement();
    SpaceOp.Out op = new SpaceOp.Out(group, self, req, tuple.fields().toArray(), kind,
        lease.duration().toMillis());
    refuseIfNeverHeld(op);
    awaitJoined();
    Pending p = new Pending();
    pending.put(req, p);
    failIfLeft(req);
    send(op);
    try {
      host.process().await(p.woken);
    } finally {
      pending.remove(req); // a cancelled out may still be applied: an out cannot be withdrawn
    }
    if (p.state() == Pending.FAILED) {
      throw p.failure();
    }
  }

  /**
   * An out larger than the total order's whole budget for held messages could never be held by
   * a member: it would be refused and sent again forever, holding back this member's later ops.
   */
  private void refuseIfNeverHeld(SpaceOp.Out op) {
    // measured by its fields: HeldBytes counts a record as a few bytes whatever it holds
    long bytes = HeldBytes.estimate(SpacePeer.functionOf(op), op.fields());
    if (bytes > HeldBytes.MAX) {
      throw new OverloadedException("tuple space '" + group + "': a tuple of about " + bytes
          + " bytes was refused (limit: " + HeldBytes.MAX + " bytes per operation, what the "
          + "group's total order can hold)");
    }
  }

  private void awaitJoined() {
    try {
      awaitReady();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  @Override
  public Tuple in(Template template) {
    return request(template, SpaceOp.IN, null).orElseThrow();
  }

  @Override
  public Optional<Tuple> in(Template template, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return request(template, SpaceOp.IN, timeout);
  }

  @Override
  public Tuple rd(Template template) {
    return request(template, SpaceOp.RD, null).orElseThrow();
  }

  @Override
  public Optional<Tuple> inp(Template template) {
    return request(template, SpaceOp.INP, null);
  }

  @Override
  public Optional<Tuple> rdp(Template template) {
    return request(template, SpaceOp.RDP, null);
  }

  @Override
  public Taken take(Template template) {
    long[] req = new long[1];
    Tuple t = request(template, SpaceOp.TAKE, null, req).orElseThrow();
    AtomicBoolean done = new AtomicBoolean();
    return new Taken() {
      @Override
      public Tuple tuple() {
        return t;
      }

      @Override
      public void done() {
        if (!done.compareAndSet(false, true)) {
          return;
        }
        long ack = nextReq.getAndIncrement();
        Pending p = new Pending();
        pending.put(ack, p);
        try {
          send(new SpaceOp.Done(group, self, req[0], ack));
          host.process().await(p.woken); // final once applied here: a leave after it keeps it
        } finally {
          pending.remove(ack);
        }
      }

      @Override
      public String toString() {
        return "taken " + t + " from tuple space '" + group + "'";
      }
    };
  }

  private Optional<Tuple> request(Template template, int mode, Duration timeout) {
    return request(template, mode, timeout, new long[1]);
  }

  /**
   * Sends the request into the order and waits for its answer. A time-out or a cancellation
   * that wins the cell sends a Cancel: the request is withdrawn wherever it waits, and a tuple
   * it was matched with meanwhile comes back as old as it was.
   */
  private Optional<Tuple> request(Template template, int mode, Duration timeout, long[] reqOut) {
    Objects.requireNonNull(template, "template");
    WireTemplate wire = WireTemplate.of(template);
    awaitJoined();
    long req = nextReq.getAndIncrement();
    reqOut[0] = req;
    Pending p = new Pending();
    pending.put(req, p);
    failIfLeft(req);
    Runnable cancelTimer = null;
    try {
      // inside the try: a cancellation while the Ask is being handed to the total order may
      // come after it was queued, and must withdraw it like any other
      send(new SpaceOp.Ask(group, self, req, wire, mode));
      if (timeout != null) {
        cancelTimer = host.scheduler().schedule(() -> {
          if (p.tryEnd(Pending.TIMED_OUT)) {
            // this is the scheduler's one thread, every DALua timer's: sending the Cancel may
            // wait for the order, so it goes out from one of the process's events instead
            try {
              host.process().execute(() -> withdraw(req));
            } catch (ProcessClosedException closed) {
              pending.remove(req); // its requests go with it (Gone, at the others)
            }
          }
        }, timeout);
      }
      host.process().await(p.woken);
    } catch (RuntimeException | Error e) {
      if (p.tryEnd(Pending.CANCELLED)) {
        withdraw(req);
        if (cancelTimer != null) {
          cancelTimer.run();
        }
        throw e;
      }
      if (e instanceof CancelledException) {
        Thread.currentThread().interrupt(); // answered at that very moment: it is the caller's
      }
    }
    if (cancelTimer != null) {
      cancelTimer.run();
    }
    return switch (p.state()) {
      case Pending.ANSWERED -> Optional.ofNullable(p.tuple());
      case Pending.FAILED -> throw p.failure();
      default -> Optional.empty();
    };
  }

  /** A leave that came between the check and the request's registration: nobody answers it. */
  private void failIfLeft(long req) {
    GroupException gone = left;
    if (gone != null) {
      pending.remove(req);
      throw gone;
    }
  }

  private void withdraw(long req) {
    pending.remove(req);
    // the caller's interrupt (its cancellation) must not stop the Cancel on its way
    boolean interrupted = Thread.interrupted();
    try {
      send(new SpaceOp.Cancel(group, self, req));
    } catch (ProcessClosedException closed) {
      // the process is gone: its requests go with it (Gone, at the others)
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public int size() {
    awaitJoined();
    if (EventConfinement.onEventOf(host.process())) {
      return replica.store.size();
    }
    return host.process().submit(() -> replica.store.size()).join();
  }

  @Override
  public String toString() {
    return "tuple space '" + group + "' at " + self;
  }
}
