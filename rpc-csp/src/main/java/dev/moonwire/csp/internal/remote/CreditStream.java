package dev.moonwire.csp.internal.remote;

import dev.moonwire.csp.ChannelClosedException;
import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A remote writer's values on credit, sent several to a call. A value written while no batch is
 * in flight goes at once, alone (no added latency); values written while one is in flight
 * gather and go together as the next {@code pushAll} when it is answered. One batch at a time
 * keeps the values in order at the owner, whose handler may wait on a full channel part-way
 * through a batch; the answer says how many values the channel refused and brings fresh credit.
 * A batch holds at most the writer's credit, so at most the channel's depth; one whose frame is
 * over the frame limit is split. Thread-safe: writers, callbacks and {@code close} meet under
 * this object's lock.
 */
final class CreditStream {
  private final RpcProcess process;
  private final ProcessId owner;
  private final String name;
  private final String function;

  /** Values this writer may still send without asking; guarded by this. */
  private int credit;
  /** Written, not yet sent: they go when the batch in flight is answered; guarded by this. */
  private final List<Object> pending = new ArrayList<>();
  /** A batch is sent and not answered; guarded by this. */
  private boolean inFlight;
  /** The most values one call carries: halved each time a batch's frame was too large. */
  private int maxBatch = Integer.MAX_VALUE;
  /** All the credit the owner ever granted this writer: it tells a grant what is on its way. */
  private long received;
  /** Values answered as refused, not yet told to the writer; guarded by this. */
  private int refused;
  /** Why the last refused values were refused: null if the channel was closed; guarded by this. */
  private RpcException refusal;
  /** Credit the owner counts as ours though its values never reached it; guarded by this. */
  private int creditToReturn;
  /** Completed when nothing is pending or in flight, for a waiting close; guarded by this. */
  private CompletableFuture<Void> allAnswered;
  /** A value was written on credit: close then waits for the owner to take them all. */
  private volatile boolean used;

  CreditStream(RpcProcess process, ProcessId owner, String name) {
    this.process = process;
    this.owner = owner;
    this.name = name;
    this.function = Protocol.function(name, "pushAll");
  }

  /**
   * Writes {@code value} on one unit of credit: sends it at once if no batch is in flight,
   * else keeps it for the next. Returns false, doing nothing, if this writer holds no credit.
   *
   * @throws RpcException if the value was to go at once and could not be sent: it stays with
   *     the writer, its credit kept
   */
  synchronized boolean write(Object value) {
    if (credit == 0) {
      return false;
    }
    credit--;
    used = true;
    pending.add(value);
    if (!inFlight) {
      try {
        send(1);
      } catch (RuntimeException e) {
        pending.clear();
        credit++;
        throw e;
      }
    }
    return true;
  }

  /** Credit the owner granted. */
  synchronized void granted(int n) {
    credit += n;
    received += n;
  }

  /**
   * All the credit received so far. A grant carries it: the owner answers at once if it has
   * granted more (in an answer still on its way), rather than wait for credit this writer holds.
   */
  synchronized long received() {
    return received;
  }

  /** Credit to give back with the next grant: values the owner's budget refused. */
  synchronized int takeCreditToReturn() {
    int n = creditToReturn;
    creditToReturn = 0;
    return n;
  }

  boolean used() {
    return used;
  }

  /** Completes once every value written was sent and answered. */
  synchronized CompletableFuture<Void> allAnswered() {
    if (!inFlight) {
      return CompletableFuture.completedFuture(null);
    }
    if (allAnswered == null) {
      allAnswered = new CompletableFuture<>();
    }
    return allAnswered;
  }

  /** Fails the operation if values written earlier were refused, naming how many. */
  synchronized void throwRefusals() {
    if (refused == 0) {
      return;
    }
    int n = refused;
    RpcException why = refusal;
    refused = 0;
    refusal = null;
    String message = n + (n == 1 ? " value" : " values") + " written to channel " + name
        + " of " + owner + " were not accepted: ";
    if (why == null) {
      throw new ChannelClosedException(message + "the channel was closed before they reached it");
    }
    message += why.getMessage();
    RuntimeException e = switch (why.kind()) {
      case OVERLOADED -> new OverloadedException(message);
      case PEER_UNAVAILABLE -> new PeerUnavailableException(message, why);
      case PROCESS_CLOSED -> new ProcessClosedException(message, why);
      case SERIALIZATION -> new SerializationException(message, why);
      default -> new ChannelClosedException(message);
    };
    throw e;
  }

  /** Under this: sends the first {@code n} pending values as one call. */
  private void send(int n) {
    Object[] batch = pending.subList(0, n).toArray();
    process.<Object[]>async(owner, function, this::answered,
        e -> answered(n, e)).withDeadline(Protocol.FOREVER).call(batch);
    pending.subList(0, n).clear();
    inFlight = true;
  }

  /** A batch's answer, as an event of this process: {@code {refused, credit granted}}. */
  private void answered(Object[] answer) {
    synchronized (this) {
      refuse((Integer) answer[0], null);
      granted((Integer) answer[1]);
    }
    ended();
  }

  /** A batch that failed: none of its values is in the channel. */
  private void answered(int n, RpcException e) {
    synchronized (this) {
      refuse(n, e);
      if (e instanceof OverloadedException) {
        creditToReturn += n; // refused before the owner's handler ran: it still counts them ours
      }
    }
    ended();
  }

  private void ended() {
    CompletableFuture<Void> wake = null;
    synchronized (this) {
      inFlight = false;
      sendPending();
      if (!inFlight && allAnswered != null) {
        wake = allAnswered;
        allAnswered = null;
      }
    }
    if (wake != null) {
      wake.complete(null);
    }
  }

  /**
   * Under this: sends what gathered while the last batch travelled. Values that cannot be sent
   * now are refused, told to the writer's next operation: their writes have returned.
   */
  private void sendPending() {
    while (!pending.isEmpty()) {
      int n = Math.min(pending.size(), maxBatch);
      try {
        send(n);
        return;
      } catch (SerializationException e) {
        if (n > 1) {
          maxBatch = n / 2; // over the frame limit: smaller batches from now on
          continue;
        }
        drop(1, e);
      } catch (RpcException e) {
        drop(n, e);
      }
    }
  }

  /**
   * Under this: the first {@code n} pending values were never sent; the owner counts their
   * credit as this writer's all the same, so it goes back with the next grant.
   */
  private void drop(int n, RpcException why) {
    pending.subList(0, n).clear();
    refuse(n, why);
    creditToReturn += n;
  }

  private void refuse(int n, RpcException why) {
    if (n > 0) {
      refused += n;
      refusal = why;
    }
  }
}
