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
    process.export(Protocol.function(name, "poll"), args -> poll(args.expect(1).longAt(0)));
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
    for (String op : new String[] {"take", "put", "withdraw", "taken", "poll", "offer", "close"}) {
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
      w.offer(Boolean.TRUE);
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

  // ---- loans: values on their way to a remote reader ----

  private void lend(Op op, Object value) {
    loans.put(op, new Loan(value, System.nanoTime()));
    loansByReader.merge(op.caller(), 1, Integer::sum);
    if (!sweeping) {
      sweeping = true;
      schedule();
    }
  }

  private void taken(Op op) {
    if (loans.remove(op) != null) {
      loansByReader.computeIfPresent(op.caller(), (k, n) -> n == 1 ? null : n - 1);
    }
  }

  private void schedule() {
    TIMER.schedule(() -> {
      try {
        process.execute(this::sweep);
      } catch (RpcException closed) {
        // the owner closed: its channel goes with it
      }
    }, PROBE_AFTER.toMillis() / 2, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Iterator<Map.Entry<Op, Loan>> it = loans.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Op, Loan> e = it.next();
      Loan loan = e.getValue();
      if (!loan.asking && now - loan.since >= PROBE_AFTER.toNanos()) {
        loan.asking = true;
        ask(e.getKey(), loan);
      }
    }
    if (loans.isEmpty()) {
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
      taken(op);
      channel.restore(loan.value);
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
