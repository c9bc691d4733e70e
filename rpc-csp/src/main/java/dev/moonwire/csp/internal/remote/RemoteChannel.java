package dev.moonwire.csp.internal.remote;

import static dev.moonwire.csp.internal.remote.Protocol.CLOSED;
import static dev.moonwire.csp.internal.remote.Protocol.OK;

import dev.moonwire.csp.Channel;
import dev.moonwire.csp.ChannelClosedException;
import dev.moonwire.csp.internal.RemoteGuard;
import dev.moonwire.csp.internal.RemoteSlot;
import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.NoSuchFunctionException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.ProtocolException;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A channel owned by another process, used through calls to it. A cancelled read or write
 * tells the owner to withdraw it and then waits for the owner's verdict: the operation either
 * happened (it completes normally, the cancellation kept as the thread's interrupt status, as
 * a local channel does) or left the channel untouched. A read acknowledges its value; one it
 * never acknowledges goes back into the channel (see {@link ChannelHost}).
 */
public final class RemoteChannel<T> implements Channel<T>, RemoteGuard {
  private final RpcProcess process;
  private final ProcessId owner;
  private final String name;
  private final Class<T> type;
  private final Reads reads;
  /** Learnt from the first grant: writes go one by one, each a round trip. */
  private volatile boolean rendezvous;
  /** Values this writer may still send without asking; guarded by this. */
  private int credit;
  /** Pushes sent and not yet answered; guarded by this. */
  private int pushesInFlight;
  /** Pushes answered as refused and not yet told to the writer; guarded by this. */
  private int refused;
  /** Credit the owner counts as ours though its pushes never reached it; guarded by this. */
  private int creditToReturn;
  /** Completed when {@link #pushesInFlight} drops to 0, for a waiting close; guarded by this. */
  private CompletableFuture<Void> allAnswered;
  /** True once a value was sent on credit: close then waits for the owner to take them all. */
  private volatile boolean pushed;
  /** Closed through this writer: its writes on credit fail at once, as local ones do. */
  private volatile boolean closedHere;

  public RemoteChannel(RpcProcess process, ProcessId owner, String name, Class<T> type) {
    this.process = process;
    this.owner = owner;
    this.name = name;
    this.type = type;
    this.reads = Reads.of(process);
  }

  @Override
  public T read() {
    long op = reads.next();
    reads.begin(op);
    Object[] r;
    boolean cancelled = false;
    try {
      CompletableFuture<Object[]> f = call("take", op);
      try {
        r = process.await(f);
      } catch (CancelledException c) {
        r = afterCancel(f, op, c);
        cancelled = true;
      }
    } catch (RuntimeException e) {
      reads.forget(op);
      throw e;
    }
    return received(op, r, "read", cancelled);
  }

  @Override
  public void write(T value) {
    Objects.requireNonNull(value, "value");
    checkType(value);
    if (!rendezvous) {
      if (writeOnCredit(value)) {
        return;
      }
    }
    long op = reads.next();
    CompletableFuture<Integer> f = call("put", op, value);
    int status;
    boolean cancelled = false;
    try {
      status = process.await(f);
    } catch (CancelledException c) {
      status = afterCancel(f, op, c);
      cancelled = true;
    }
    if (status == CLOSED) {
      throw closed("write");
    }
    if (cancelled) {
      Thread.currentThread().interrupt(); // it happened: the cancellation waits for the next wait
    }
  }

  /**
   * A buffered channel's write: sends the value at once while this writer holds credit, and
   * asks the owner for more (a suspension point) when it holds none. Returns false if the
   * channel turned out to be a rendezvous.
   */
  private boolean writeOnCredit(T value) {
    synchronized (this) {
      throwRefusals();
      if (closedHere) {
        throw closed("write");
      }
      if (credit > 0) {
        push(value);
        return true;
      }
    }
    int returning;
    synchronized (this) {
      returning = creditToReturn;
      creditToReturn = 0;
    }
    long op = reads.next();
    CompletableFuture<Object[]> f = call("grant", op, returning);
    Object[] r;
    boolean cancelled = false;
    try {
      r = process.await(f);
    } catch (CancelledException c) {
      r = afterCancel(f, op, c); // granted all the same: the credit is ours, the write goes on
      cancelled = true;
    }
    int status = (Integer) r[0];
    int granted = (Integer) r[1];
    if (granted < 0) {
      rendezvous = true;
      return false;
    }
    synchronized (this) {
      credit += granted;
      throwRefusals();
      if (status == CLOSED) {
        throw closed("write");
      }
      push(value);
    }
    if (cancelled) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  /**
   * Under this: sends {@code value} on one unit of credit, as a call whose answer says whether
   * the channel took it. The write does not wait for that answer; a refusal fails this writer's
   * next operation, and {@link #close} waits for every answer.
   */
  private void push(T value) {
    credit--;
    pushesInFlight++;
    pushed = true;
    try {
      process.<Integer>async(owner, Protocol.function(name, "push"),
          status -> pushEnded(status == OK ? 0 : 1, false),
          e -> pushEnded(1, e instanceof dev.moonwire.rpc.OverloadedException))
          .withDeadline(Protocol.FOREVER).call(value);
    } catch (RuntimeException e) {
      credit++; // not sent: the value stays with the writer
      pushesInFlight--;
      throw e;
    }
  }

  /**
   * A push's answer, as an event of this process. {@code creditBack}: the owner refused it
   * before its handler ran (its budget full), so the owner still counts that credit as this
   * writer's: it is given back with the next grant.
   */
  private void pushEnded(int refused, boolean creditBack) {
    CompletableFuture<Void> wake = null;
    synchronized (this) {
      this.refused += refused;
      if (creditBack) {
        creditToReturn++;
      }
      if (--pushesInFlight == 0 && allAnswered != null) {
        wake = allAnswered;
        allAnswered = null;
      }
    }
    if (wake != null) {
      wake.complete(null);
    }
  }

  /** Under this: fails the operation if values written earlier were refused, naming how many. */
  private void throwRefusals() {
    if (refused > 0) {
      int n = refused;
      refused = 0;
      throw notAccepted(n);
    }
  }

  /** A value of another type (through a raw type) is refused here, before it travels. */
  private void checkType(Object value) {
    if (!type.isInstance(value)) {
      throw new dev.moonwire.rpc.BadArgumentsException("a value for channel " + name
          + " must be a " + type.getName() + ", not " + value.getClass().getName());
    }
  }

  private ChannelClosedException notAccepted(int failed) {
    return new ChannelClosedException(failed + (failed == 1 ? " value" : " values")
        + " written to channel " + name + " of " + owner + " were not accepted: the channel"
        + " was closed before they reached it");
  }

  @Override
  public boolean offer(T value) {
    Objects.requireNonNull(value, "value");
    checkType(value);
    int status = throughCancel(this.<Integer>call("offer", value));
    if (status == CLOSED) {
      throw closed("offer");
    }
    return status == OK;
  }

  @Override
  public Optional<T> poll() {
    long op = reads.next();
    reads.begin(op);
    Object[] r;
    try {
      r = throughCancel(this.<Object[]>call("poll", op));
    } catch (RuntimeException e) {
      reads.forget(op);
      throw e;
    }
    if ((Integer) r[0] == Protocol.EMPTY) {
      reads.nothingLent(op);
      return Optional.empty();
    }
    return Optional.of(received(op, r, "poll", false));
  }

  /**
   * Closes the owner's channel once every value this writer sent on credit was answered, so
   * that none is refused by the close itself; then reports those refused, if any.
   */
  @Override
  public void close() {
    if (pushed) {
      CompletableFuture<Void> answered;
      synchronized (this) {
        if (pushesInFlight > 0 && allAnswered == null) {
          allAnswered = new CompletableFuture<>();
        }
        answered = pushesInFlight == 0 ? CompletableFuture.completedFuture(null) : allAnswered;
      }
      process.await(answered);
    }
    throughCancel(call("close"));
    closedHere = true;
    synchronized (this) {
      throwRefusals();
    }
  }

  /**
   * An Alt's read guard: the owner's take, whose value the Alt keeps if it still waits and
   * gives back ({@code release}) if another branch won meanwhile. Sends one call, then nothing
   * until the value comes or the Alt withdraws.
   */
  @Override
  public void reserve(RemoteSlot slot) {
    long op = reads.next();
    reads.begin(op);
    CompletableFuture<Object[]> f;
    try {
      f = call("take", op);
    } catch (RuntimeException e) {
      reads.forget(op);
      slot.fail(e);
      return;
    }
    slot.onWithdraw(() -> withdraw(op, f));
    var unused = f.whenComplete((r, e) -> { // the reservation's outcome, handled here
      if (e != null) {
        reads.forget(op);
        slot.fail(e instanceof RuntimeException re ? re : new IllegalStateException(e));
        return;
      }
      int status = (Integer) r[0];
      if (status == OK && type.isInstance(r[1])) {
        if (slot.deliver(r[1])) {
          reads.received(op);
          tell("taken", op);
        } else {
          reads.forget(op);
          tell("release", op); // another branch won: the value goes back to the owner's head
        }
      } else if (status == OK) {
        reads.forget(op);
        tell("release", op);
        slot.fail(new ProtocolException(owner + " sent a " + r[1].getClass().getName()
            + " from channel " + name + " (expected: a " + type.getName() + ")"));
      } else {
        reads.nothingLent(op);
        if (status == CLOSED) {
          slot.deliverClosed();
        }
        // WITHDRAWN: the select ended another way, and nothing was taken
      }
    });
  }

  /**
   * Asks the owner to withdraw {@code op}, whose outcome {@code outcome} awaits: a call, so that
   * a withdrawal the owner refused (its budget full) is asked again a moment later, until the
   * operation has an outcome — otherwise a cancelled read of a channel that stays empty would
   * wait for ever.
   */
  private void withdraw(long op, CompletableFuture<?> outcome) {
    if (outcome.isDone()) {
      return;
    }
    try {
      process.async(owner, Protocol.function(name, "withdraw"), ignored -> { }, e -> {
        if (e instanceof dev.moonwire.rpc.OverloadedException
            || e instanceof dev.moonwire.rpc.DeadlineExceededException) {
          var unused = RETRIES.schedule(() -> withdraw(op, outcome), 100,
              java.util.concurrent.TimeUnit.MILLISECONDS); // ends with the operation's outcome
        }
        // the owner is gone or closed: the operation fails on its own
      }).withDeadline(java.time.Duration.ofSeconds(10)).call(op);
    } catch (RpcException e) {
      // this process closed: the operation fails on its own
    }
  }

  private static final java.util.concurrent.ScheduledExecutorService RETRIES =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
          .daemon().name("csp-withdrawals").unstarted(r));

  /** A one-way message to the owner about operation {@code op}; refused ones are settled by the owner's question. */
  private void tell(String operation, long op) {
    try {
      process.send(owner, Protocol.function(name, operation), op);
    } catch (RpcException e) {
      // the owner asks about the loan after a second, and this process answers it
    }
  }

  private T received(long op, Object[] r, String operation, boolean cancelled) {
    int status = (Integer) r[0];
    if (status == CLOSED) {
      reads.nothingLent(op);
      throw closed(operation);
    }
    Object value = r[1];
    if (!type.isInstance(value)) {
      reads.forget(op);
      tell("release", op); // not ours to keep: back to the owner's channel
      throw new ProtocolException(owner + " sent a " + (value == null ? "null" : value.getClass()
          .getName()) + " from channel " + name + " (expected: a " + type.getName() + ")");
    }
    reads.received(op);
    tell("taken", op);
    if (cancelled) {
      Thread.currentThread().interrupt();
    }
    return type.cast(value);
  }

  /**
   * The wait for {@code f} was cancelled: asks the owner to withdraw the operation and waits,
   * through further cancellations, for its verdict. Returns the outcome if the operation
   * happened; throws {@code cancelled} if it was withdrawn.
   */
  private <R> R afterCancel(CompletableFuture<R> f, long op, CancelledException cancelled) {
    withdraw(op, f);
    R outcome;
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        try {
          outcome = process.await(f);
          break;
        } catch (CancelledException again) {
          interrupted |= Thread.interrupted();
        }
      }
    } catch (RuntimeException e) {
      cancelled.addSuppressed(e);
      throw cancelled;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    int status = outcome instanceof Object[] a ? (Integer) a[0] : (Integer) outcome;
    if (status == Protocol.WITHDRAWN) {
      Thread.interrupted(); // the cancellation is thrown, not kept
      throw cancelled;
    }
    return outcome;
  }

  /**
   * The outcome of an operation that never waits at the owner ({@code offer}, {@code poll},
   * {@code close}): a cancellation while it travels cannot withdraw it, so it waits for the
   * outcome, and a cancellation meanwhile is kept for the next suspension point.
   */
  private <R> R throughCancel(CompletableFuture<R> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return process.await(f);
        } catch (CancelledException e) {
          interrupted = true;
          Thread.interrupted();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private <R> CompletableFuture<R> call(String operation, Object... args) {
    CompletableFuture<R> f = new CompletableFuture<>();
    process.<R>async(owner, Protocol.function(name, operation), f::complete, e -> {
      if (e instanceof NoSuchFunctionException) {
        e = new NoSuchFunctionException(owner + " exports no channel " + name, e);
      }
      f.completeExceptionally(e);
    }).withDeadline(Protocol.FOREVER).call(args);
    return f;
  }

  private ChannelClosedException closed(String operation) {
    return new ChannelClosedException(operation + " on channel " + name + " of " + owner
        + ", which is closed" + (operation.equals("write") || operation.equals("offer") ? ""
            : " and holds nothing more"));
  }

  @Override
  public String toString() {
    return "remote channel " + name + " of " + owner;
  }
}
