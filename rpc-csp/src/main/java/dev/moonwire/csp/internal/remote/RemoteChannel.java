package dev.moonwire.csp.internal.remote;

import static dev.moonwire.csp.internal.remote.Protocol.CLOSED;
import static dev.moonwire.csp.internal.remote.Protocol.OK;

import dev.moonwire.csp.Channel;
import dev.moonwire.csp.ChannelClosedException;
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
public final class RemoteChannel<T> implements Channel<T> {
  private final RpcProcess process;
  private final ProcessId owner;
  private final String name;
  private final Class<T> type;
  private final Reads reads;

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

  @Override
  public boolean offer(T value) {
    Objects.requireNonNull(value, "value");
    int status = process.await(this.<Integer>call("offer", value));
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
      r = process.await(this.<Object[]>call("poll", op));
    } catch (RuntimeException e) {
      reads.forget(op);
      throw e;
    }
    if ((Integer) r[0] == Protocol.EMPTY) {
      reads.forget(op);
      return Optional.empty();
    }
    return Optional.of(received(op, r, "poll", false));
  }

  @Override
  public void close() {
    process.await(call("close"));
  }

  private T received(long op, Object[] r, String operation, boolean cancelled) {
    int status = (Integer) r[0];
    if (status == CLOSED) {
      reads.forget(op);
      throw closed(operation);
    }
    reads.received(op);
    try {
      process.send(owner, Protocol.function(name, "taken"), op);
    } catch (RpcException e) {
      // the owner asks about the loan instead, and this process answers that it has the value
    }
    if (cancelled) {
      Thread.currentThread().interrupt();
    }
    Object value = r[1];
    if (!type.isInstance(value)) {
      throw new ProtocolException(owner + " sent a " + (value == null ? "null" : value.getClass()
          .getName()) + " from channel " + name + " (expected: a " + type.getName() + ")");
    }
    return type.cast(value);
  }

  /**
   * The wait for {@code f} was cancelled: asks the owner to withdraw the operation and waits,
   * through further cancellations, for its verdict. Returns the outcome if the operation
   * happened; throws {@code cancelled} if it was withdrawn.
   */
  private <R> R afterCancel(CompletableFuture<R> f, long op, CancelledException cancelled) {
    try {
      process.send(owner, Protocol.function(name, "withdraw"), op);
    } catch (RpcException e) {
      cancelled.addSuppressed(e);
    }
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
