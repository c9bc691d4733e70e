package dev.moonwire.dalua;

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
 * <p>State confined to the process's events: every method below runs as one of them.
 */
final class Deliveries {
  /** Longest pause between two attempts at a refused delivery. */
  static final Duration MAX_PAUSE = Duration.ofSeconds(1);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
  /** A delivered function may run as long as it likes: it is not cancelled for time. */
  private static final Duration NO_DEADLINE = Duration.ofDays(365);

  private final Dalua dalua;
  private final String what;
  private final ArrayDeque<Object[]> queue = new ArrayDeque<>(); // {function, args}
  private boolean handing;
  private int refused; // in a row, for the pause

  Deliveries(Dalua dalua, String what) {
    this.dalua = dalua;
    this.what = what;
  }

  /**
   * Queues {@code function(args)} for delivery here, after those queued before: from any
   * thread, in the order of the calls made from it (each call queues an event).
   */
  void deliver(String function, Object[] args) {
    try {
      dalua.process().execute(() -> {
        queue.add(new Object[] {function, args});
        next();
      });
    } catch (ProcessClosedException closed) {
      // closed: nothing is delivered here any more
    }
  }

  private void next() {
    if (handing || queue.isEmpty() || dalua.process().isClosed()) {
      return;
    }
    handing = true;
    Object[] m = queue.peek();
    dalua.process().async(dalua.self(), (String) m[0], v -> handedOver(), e -> failed(e))
        .withDeadline(NO_DEADLINE).call((Object[]) m[1]);
  }

  private void handedOver() {
    handing = false;
    refused = 0;
    queue.poll();
    next();
  }

  private void failed(RpcException e) throws RpcException {
    handing = false;
    if (e instanceof OverloadedException && !dalua.process().isClosed()) {
      long pause = Math.min(MAX_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << Math.min(refused, 10));
      refused++;
      dalua.scheduler.schedule(() -> {
        try {
          dalua.process().execute(this::next);
        } catch (ProcessClosedException closed) {
          // closed meanwhile
        }
      }, Duration.ofMillis(pause));
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
