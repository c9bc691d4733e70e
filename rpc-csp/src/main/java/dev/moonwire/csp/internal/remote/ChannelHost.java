package dev.moonwire.csp.internal.remote;

import static dev.moonwire.csp.internal.remote.Protocol.CLOSED;
import static dev.moonwire.csp.internal.remote.Protocol.EMPTY;
import static dev.moonwire.csp.internal.remote.Protocol.OK;
import static dev.moonwire.csp.internal.remote.Protocol.WITHDRAWN;

import dev.moonwire.csp.Alt;
import dev.moonwire.csp.ChannelClosedException;
import dev.moonwire.csp.internal.LocalChannel;
import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The owner's side of an exported channel: its handlers run as events of the owner, one at a
 * time, so the maps below need no lock. A remote read or write is the local operation raced,
 * in an {@code Alt}, against the caller's withdrawal; so a cancelled remote operation ends
 * exactly like a cancelled local one — it happened, or it left the channel untouched.
 *
 * <p>A value handed to a remote reader stays on loan until the reader acknowledges it. A loan
 * older than {@link #PROBE_AFTER} is asked about at the reader: gone (its process dead or
 * unreachable) or never received (its read withdrawn as the value travelled), the value goes
 * back to the head of the channel.
 */
public final class ChannelHost {
  static final Duration PROBE_AFTER = Duration.ofSeconds(1);
  /** Loans a single reader may hold unacknowledged before its takes are refused. */
  static final int MAX_LOANS_PER_READER = 1_024;
  private static final Object WITHDRAW = new Object();
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("csp-loans").unstarted(r));

  private final RpcProcess process;
  private final String name;
  private final LocalChannel<Object> channel;
  private final Class<?> type;
  private final Map<Op, LocalChannel<Object>> waiting = new HashMap<>();
  private final Map<Op, Loan> loans = new HashMap<>();
  private final Map<ProcessId, Integer> loansByReader = new HashMap<>();
  private boolean sweeping;
  private boolean unexported;

  // ---- credit: values in flight from remote writers, at most the channel's depth together ----
  private int available;
  /** A rendezvous on which a waiting grant hears that credit came back. */
  private final LocalChannel<Object> freed = new LocalChannel<>(0);
  private final Map<ProcessId, Writer> writers = new HashMap<>();
  private int grantsWaiting;

  /** What the owner knows of one remote writer of this channel. */
  private static final class Writer {
    /** Credit granted and not yet used by a push. */
    int outstanding;
    /** Pushed values not yet in the channel (their handlers wait on a full channel). */
    int inFlight;
    long lastHeard = System.nanoTime();
  }

  private record Op(ProcessId caller, long id) {}

  private static final class Loan {
    final Object value;
    final long since;
    boolean asking;

    Loan(Object value, long since) {
      this.value = value;
      this.since = since;
    }
  }

  @SuppressWarnings("unchecked")
  public ChannelHost(RpcProcess process, String name, LocalChannel<?> channel, Class<?> type) {
    this.process = process;
    this.name = name;
    this.channel = (LocalChannel<Object>) channel;
    this.type = type;
    this.available = channel.depth();
  }

  /** Exports the channel's functions on the owner. */
  public void export() {
    process.export(Protocol.function(name, "take"), args -> take(args.expect(1).longAt(0)));
    process.export(Protocol.function(name, "put"), args -> {
      args.expect(2);
      return put(args.longAt(0), value(args));
    });
    process.export(Protocol.function(name, "withdraw"), args -> {
      withdraw(args.expect(1).longAt(0));
      return null;
    });
    process.export(Protocol.function(name, "taken"), args -> {
      taken(new Op(Rpc.sender(), args.expect(1).longAt(0)));
      return null;
    });
    process.export(Protocol.function(name, "release"), args -> {
      Op op = new Op(Rpc.sender(), args.expect(1).longAt(0));
      Loan loan = loans.get(op);
      if (loan != null) {
        giveBack(op, loan); // an Alt's reservation that another branch beat
      }
      return null;
    });
    process.export(Protocol.function(name, "poll"), args -> poll(args.expect(1).longAt(0)));
    process.export(Protocol.function(name, "grant"), args -> {
      args.expect(2);
      return grant(args.longAt(0), args.intAt(1));
    });
    process.export(Protocol.function(name, "push"), args -> push(args.expect(1).get(0)));
    process.export(Protocol.function(name, "offer"), args -> {
      args.expect(1);
      return offer(args.get(0));
    });
    process.export(Protocol.function(name, "close"), args -> {
      channel.close();
      return null;
    });
  }

  /** Unexports the functions; values on loan stay on loan until their readers answer. */
  public boolean unexport() {
    boolean any = false;
    for (String op : new String[] {"take", "put", "withdraw", "taken", "release", "poll", "grant", "push",
        "offer", "close"}) {
      any |= process.unexport(Protocol.function(name, op));
    }
    process.execute(() -> unexported = true);
    return any;
  }

  private Object value(Args args) {
    Object v = args.get(1);
    if (v == null || !type.isInstance(v)) {
      throw new BadArgumentsException("a value for channel " + name + " must be a "
          + type.getName() + ", not " + (v == null ? "null" : v.getClass().getName()));
    }
    return v;
  }

  private Object[] take(long id) {
    Op op = new Op(Rpc.sender(), id);
    if (loansByReader.getOrDefault(op.caller(), 0) >= MAX_LOANS_PER_READER) {
      throw new OverloadedException(op.caller() + " holds " + MAX_LOANS_PER_READER
          + " values of channel " + name + " it has not acknowledged");
    }
    LocalChannel<Object> withdrawal = new LocalChannel<>(1);
    if (waiting.putIfAbsent(op, withdrawal) != null) {
      throw new BadArgumentsException("operation " + id + " on channel " + name
          + " is already waiting");
    }
    try {
      Object v = Alt.select(Alt.read(channel, x -> x), Alt.read(withdrawal, x -> WITHDRAW));
      if (v == WITHDRAW) {
        return new Object[] {WITHDRAWN, null};
      }
      lend(op, v);
      return new Object[] {OK, v};
    } catch (ChannelClosedException e) {
      return new Object[] {CLOSED, null};
    } finally {
      waiting.remove(op);
    }
  }

  private int put(long id, Object value) {
    Op op = new Op(Rpc.sender(), id);
    LocalChannel<Object> withdrawal = new LocalChannel<>(1);
    if (waiting.putIfAbsent(op, withdrawal) != null) {
      throw new BadArgumentsException("operation " + id + " on channel " + name
          + " is already waiting");
    }
    try {
      Object r = Alt.select(Alt.write(channel, value, () -> (Object) null),
          Alt.read(withdrawal, x -> WITHDRAW));
      return r == WITHDRAW ? WITHDRAWN : OK;
    } catch (ChannelClosedException e) {
      return CLOSED;
    } finally {
      waiting.remove(op);
    }
  }

  private void withdraw(long id) {
    LocalChannel<Object> w = waiting.get(new Op(Rpc.sender(), id));
    if (w != null) {
      w.offer(true);
    }
  }

  private Object[] poll(long id) {
    Op op = new Op(Rpc.sender(), id);
    if (loansByReader.getOrDefault(op.caller(), 0) >= MAX_LOANS_PER_READER) {
      throw new OverloadedException(op.caller() + " holds " + MAX_LOANS_PER_READER
          + " values of channel " + name + " it has not acknowledged");
    }
    try {
      var v = channel.poll();
      if (v.isEmpty()) {
        return new Object[] {EMPTY, null};
      }
      lend(op, v.get());
      return new Object[] {OK, v.get()};
    } catch (ChannelClosedException e) {
      return new Object[] {CLOSED, null};
    }
  }

  private int offer(Object value) {
    if (value == null || !type.isInstance(value)) {
      throw new BadArgumentsException("a value for channel " + name + " must be a "
          + type.getName());
    }
    try {
      return channel.offer(value) ? OK : EMPTY;
    } catch (ChannelClosedException e) {
      return CLOSED;
    }
  }

  // ---- credit: how buffered remote writes stream ----

  /**
   * Grants the caller credit to push values without waiting for each: half of what is
   * available (at least one), waiting while none is. Returns {@code {status, credit}}: credit
   * -1 means a rendezvous (writes go one by one, {@code put}). {@code returned} is credit the
   * caller gives back: pushes of its that were refused before they reached the channel.
   */
  private Object[] grant(long id, int returned) {
    if (channel.depth() == 0) {
      return new Object[] {OK, -1};
    }
    Op op = new Op(Rpc.sender(), id);
    Writer w = writers.computeIfAbsent(op.caller(), k -> new Writer());
    w.lastHeard = System.nanoTime();
    if (returned > 0 && returned <= w.outstanding) {
      w.outstanding -= returned;
      giveCredit(returned);
    }
    LocalChannel<Object> withdrawal = new LocalChannel<>(1);
    if (waiting.putIfAbsent(op, withdrawal) != null) {
      throw new BadArgumentsException("operation " + id + " on channel " + name
          + " is already waiting");
    }
    try {
      while (available == 0 && !channel.isClosed()) {
        grantsWaiting++;
        Object woken;
        try {
          // A close at the owner wakes nobody here: look again each second while waiting.
          woken = Alt.select(Alt.read(freed, x -> x), Alt.read(withdrawal, x -> WITHDRAW),
              Alt.after(PROBE_AFTER, () -> null));
        } finally {
          grantsWaiting--;
        }
        if (woken == WITHDRAW) {
          return new Object[] {WITHDRAWN, 0};
        }
      }
      if (channel.isClosed()) {
        return new Object[] {CLOSED, 0};
      }
      // Half of what is free, and no more than an equal share among the writers known: one
      // writer, or one that asks in a loop, cannot take all the credit there is.
      int n = Math.max(1, Math.min(available / 2, channel.depth() / Math.max(1, writers.size())));
      available -= n;
      w.outstanding += n;
      if (!sweeping) {
        sweeping = true; // to take back the credit of a writer that dies holding it
        schedule();
      }
      return new Object[] {OK, n};
    } finally {
      waiting.remove(op);
    }
  }

  /**
   * One value a writer sends on credit: waits while the channel is full, then answers
   * {@code OK}, or {@code CLOSED} if the channel refused it. The writer counts the answers, so
   * a value refused anywhere on its way is never taken for written.
   */
  private int push(Object value) {
    ProcessId caller = Rpc.sender();
    Writer w = writers.get(caller);
    if (w == null || w.outstanding == 0) {
      throw new BadArgumentsException(caller + " pushed a value to channel " + name
          + " without credit");
    }
    w.outstanding--;
    if (value == null || !type.isInstance(value)) {
      giveCredit(1);
      throw new BadArgumentsException("a value for channel " + name + " must be a "
          + type.getName() + ", not " + (value == null ? "null" : value.getClass().getName()));
    }
    w.inFlight++;
    w.lastHeard = System.nanoTime();
    try {
      channel.write(value);
      return OK;
    } catch (ChannelClosedException e) {
      return CLOSED;
    } finally {
      w.inFlight--;
      giveCredit(1);
    }
  }

  private void giveCredit(int n) {
    available += n;
    for (int i = 0; i < n && freed.offer(true); i++) {
      // each offer wakes one waiting grant; it stops at the first that finds none waiting
    }
  }

  /**
   * Credit held by writers that are gone comes back: asked while grants wait for credit and
   * writers have held theirs unused past {@link #PROBE_AFTER}.
   */
  private void reclaimCredit(long now) {
    if (available > 0 || grantsWaiting == 0) {
      return;
    }
    for (Map.Entry<ProcessId, Writer> e : writers.entrySet()) {
      Writer w = e.getValue();
      if (w.outstanding > 0 && w.inFlight == 0 && now - w.lastHeard >= PROBE_AFTER.toNanos()) {
        ProcessId writer = e.getKey();
        w.lastHeard = now; // asked once per PROBE_AFTER
        process.<Integer>async(writer, Protocol.READS_STATUS, alive -> { }, error -> {
          if (error instanceof dev.moonwire.rpc.PeerUnavailableException
              || error instanceof dev.moonwire.rpc.ProcessClosedException) {
            Writer gone = writers.remove(writer);
            if (gone != null && gone.outstanding > 0) {
              giveCredit(gone.outstanding);
            }
          }
        }).withDeadline(PROBE_AFTER.multipliedBy(5)).call(0L);
      }
    }
  }

  // ---- loans: values on their way to a remote reader ----

  private void lend(Op op, Object value) {
    if (loans.containsKey(op)) {
      channel.restore(value); // an id already on loan: the caller's own mistake, nothing lost
      throw new BadArgumentsException("operation " + op.id() + " on channel " + name
          + " already holds a value on loan");
    }
    loans.put(op, new Loan(value, System.nanoTime()));
    channel.lent();
    loansByReader.merge(op.caller(), 1, Integer::sum);
    if (!sweeping) {
      sweeping = true;
      schedule();
    }
  }

  private void taken(Op op) {
    settle(op, false);
  }

  /** Ends {@code op}'s loan: the reader has the value, or ({@code giveBack}) it goes back. */
  private void settle(Op op, boolean giveBack) {
    Loan loan = loans.remove(op);
    if (loan != null) {
      loansByReader.computeIfPresent(op.caller(), (k, n) -> n == 1 ? null : n - 1);
      channel.settle(giveBack ? loan.value : null);
    }
  }


  private void schedule() {
    var unused = TIMER.schedule(() -> { // the next sweep; it reschedules itself, nothing waits
      try {
        process.execute(this::sweep);
      } catch (RpcException closed) {
        // the owner closed: its channel goes with it
      }
    }, PROBE_AFTER.toMillis() / 2, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    reclaimCredit(now);
    for (Iterator<Map.Entry<Op, Loan>> it = loans.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Op, Loan> e = it.next();
      Loan loan = e.getValue();
      if (!loan.asking && now - loan.since >= PROBE_AFTER.toNanos()) {
        loan.asking = true;
        ask(e.getKey(), loan);
      }
    }
    if (loans.isEmpty() && writers.isEmpty()) {
      sweeping = false;
    } else {
      schedule();
    }
  }

  /** Asks the reader whether it received {@code op}'s value; gives it back if not. */
  private void ask(Op op, Loan loan) {
    process.<Integer>async(op.caller(), Protocol.READS_STATUS, status -> {
      loan.asking = false;
      if (status == null || status == Protocol.UNKNOWN) {
        giveBack(op, loan);
      } else if (status == Protocol.RECEIVED) {
        taken(op);
      }
      // PENDING: the value is still on its way; asked again at the next sweep
    }, error -> {
      loan.asking = false;
      if (error instanceof dev.moonwire.rpc.PeerUnavailableException
          || error instanceof dev.moonwire.rpc.ProcessClosedException
          || error instanceof dev.moonwire.rpc.NoSuchFunctionException) {
        giveBack(op, loan); // the reader is gone: nobody has the value
      }
      // other failures (overloaded, deadline): ask again at the next sweep
    }).withDeadline(PROBE_AFTER.multipliedBy(5)).call(op.id());
  }

  private void giveBack(Op op, Loan loan) {
    if (loans.get(op) == loan) {
      settle(op, true);
    }
  }

  int loans() {
    return loans.size();
  }

  @Override
  public String toString() {
    return "channel " + name + " exported by " + process.id() + (unexported ? " (unexported)" : "");
  }
}
