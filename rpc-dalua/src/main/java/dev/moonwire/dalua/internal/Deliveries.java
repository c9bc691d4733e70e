package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.OverloadedException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.RpcException;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Hands the messages a multicast delivers to this process's own exported functions, in the
 * order they were delivered. A delivered message goes to its function as a call to this process
 * — so it runs as an event like any other, and fails as a call would — one at a time: the next
 * is handed over once the previous call has returned. A call that the process's inbound budget
 * refuses ({@link OverloadedException}: a message larger than what is free, say) is tried again
 * after a pause, and those behind it wait: a delivered message is never lost for want of room,
 * nor overtaken. Any other failure (the function missing, or throwing) goes to the process's
 * uncaught-error handler, as a one-way send's would.
 *
 * <p>State confined to the process's events: every method below runs as one of them, and
 * {@link #deliver} checks it.
 */
public final class Deliveries {
  /** Longest pause between two attempts at a refused delivery. */
  public static final Duration MAX_PAUSE = Duration.ofSeconds(1);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
  /** A delivered function may run as long as it likes: it is not cancelled for time. */
  private static final Duration NO_DEADLINE = Duration.ofDays(365);

  private final MulticastHost host;
  private final String what;
  private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
  private boolean handing;
  private int refused; // in a row, for the pause

  public Deliveries(MulticastHost host, String what) {
    this.host = host;
    this.what = what;
  }

  /** Queues {@code function(args)} for delivery here, after those queued before. */
  public void deliver(String function, Object[] args) {
    EventConfinement.check(host.process(), what, "'s deliveries");
    queue.add(new Delivery(function, args));
    next();
  }

  @SuppressWarnings("ArrayRecordComponent") // the arguments as the function gets them
  private record Delivery(String function, Object[] args) {}

  private void next() {
    if (handing || queue.isEmpty() || host.process().isClosed()) {
      return;
    }
    handing = true;
    Delivery m = queue.peek();
    host.process().async(host.process().id(), m.function(), v -> handedOver(), this::failed)
        .withDeadline(NO_DEADLINE).call(m.args());
  }

  private void handedOver() {
    handing = false;
    refused = 0;
    queue.poll();
    next();
  }

  private void failed(RpcException e) throws RpcException {
    handing = false;
    if (e instanceof OverloadedException && !host.process().isClosed()) {
      long pause = Math.min(MAX_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << Math.min(refused, 10));
      refused++;
      host.schedule(() -> {
        try {
          host.process().execute(this::next);
        } catch (ProcessClosedException closed) {
          // closed meanwhile
        }
      }, Duration.ofMillis(pause)); // what cancels it is not kept: closing ends the attempts
      return;
    }
    refused = 0;
    queue.poll();
    next();
    if (!(e instanceof ProcessClosedException)) {
      throw e; // the function's own failure: reported as a one-way send's would be
    }
  }

  @Override
  public String toString() {
    return what;
  }
}
