package dev.moonwire.rpc.sync;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.sync.internal.Waiter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A monitor over some of a process's functions, as in LuaRPC (seed 000):
 *
 * <pre>{@code
 * Monitor bufmon = Monitor.create();
 * server.export("put", bufmon.doWhenFree(this::_put));
 * server.export("get", bufmon.doWhenFree(this::_get));
 * }</pre>
 *
 * <p>Events of a process already run one at a time; a monitor goes further: a function wrapped
 * by {@link #doWhenFree} keeps the monitor <em>across its suspension points</em> (sync calls,
 * futures, sleeps). While it is suspended, other entries into the monitor wait — they suspend
 * too, in arrival order — but the process goes on serving everything else. Inside, {@link
 * #await} waits for a condition on the process's state, letting other entries in meanwhile.
 *
 * <p><b>Threading.</b> A monitor belongs to one process and is used only from that process's
 * events (handlers, callbacks) with the synchronous layer; elsewhere its methods throw
 * {@link IllegalStateException}. It needs no lock: the process's baton already serializes every
 * use. Entry is reentrant. A request cancelled while waiting to enter leaves with a
 * {@link CancelledException} and does not take the monitor; one cancelled in {@code await}
 * first takes the monitor back (as {@link java.util.concurrent.locks.Condition#await()} does),
 * then throws, so its {@code doWhenFree} releases only what it holds. Conditions must not
 * suspend.
 */
public final class Monitor {
  private Thread holder;
  private int depth;
  private final ArrayDeque<Waiter> entering = new ArrayDeque<>();
  private final List<Guard> guards = new ArrayList<>();

  private record Guard(Waiter waiter, BooleanSupplier condition) {}

  private Monitor() {}

  /** A new, free monitor. */
  public static Monitor create() {
    return new Monitor();
  }

  /**
   * {@code handler} wrapped so that it runs holding this monitor: it waits until the monitor is
   * free, holds it until it returns or throws, then hands it to the next waiter.
   */
  public Handler doWhenFree(Handler handler) {
    return args -> {
      enter();
      try {
        return handler.handle(args);
      } finally {
        exit();
      }
    };
  }

  /**
   * Waits, holding the monitor in between, until {@code condition} holds. While it waits, the
   * monitor is free for others; the condition is tested again each time the monitor is released
   * (and on {@link #signalAll()}), and the waiter gets the monitor back before other entries.
   *
   * @throws IllegalStateException if the calling event does not hold this monitor
   * @throws CancelledException if the request was cancelled while waiting
   */
  public void await(BooleanSupplier condition) {
    Thread me = Thread.currentThread();
    if (holder != me) {
      throw new IllegalStateException(
          "await outside the monitor (expected: inside a function wrapped by doWhenFree)");
    }
    while (!holdsNow(condition)) {
      int savedDepth = depth;
      Waiter w = Waiter.forCurrentThread();
      Guard g = new Guard(w, condition);
      guards.add(g);
      handOver();
      w.await(() -> w.complete(null));
      if (holder != me) {
        // Cancelled while waiting. As Condition.await does, take the monitor back before
        // throwing: the caller's doWhenFree will release it, and must not release it while
        // someone else holds it.
        guards.remove(g);
        reenter(me);
      }
      depth = savedDepth;
      if (w.interrupted()) {
        throw new CancelledException("cancelled while waiting in Monitor.await");
      }
    }
  }

  /** Waits, ignoring cancellation, until the monitor is {@code me}'s again; first in line. */
  private void reenter(Thread me) {
    while (holder != me) {
      if (holder == null) {
        holder = me;
        return;
      }
      Waiter back = Waiter.forCurrentThread();
      entering.addFirst(back);
      back.await(() -> { }); // a second cancel changes nothing: we are leaving already
      entering.remove(back);
    }
  }

  /**
   * Tests the conditions of waiting {@link #await}s again, after the state changed outside the
   * monitor. Needed only then: leaving the monitor tests them anyway.
   */
  public void signalAll() {
    requireEvent();
    if (holder == null) {
      handOver();
    }
  }

  private void enter() {
    requireEvent();
    Thread me = Thread.currentThread();
    if (holder == me) {
      depth++;
      return;
    }
    if (holder == null) {
      holder = me;
      depth = 1;
      return;
    }
    Waiter w = Waiter.forCurrentThread();
    entering.add(w);
    w.await(() -> w.complete(null));
    if (holder != me) {
      entering.remove(w);
      throw new CancelledException("cancelled while waiting to enter the monitor");
    }
    depth = 1;
    if (w.interrupted()) {
      exit(); // it was handed to us as we were cancelled: pass it on
      throw new CancelledException("cancelled while waiting to enter the monitor");
    }
  }

  private void exit() {
    if (--depth == 0) {
      handOver();
    }
  }

  /** Frees the monitor and gives it to a guard whose condition now holds, else the next entry. */
  private void handOver() {
    holder = null;
    depth = 0;
    for (Iterator<Guard> it = guards.iterator(); it.hasNext(); ) {
      Guard g = it.next();
      if (holds(g.condition())) {
        it.remove();
        giveTo(g.waiter());
        return;
      }
    }
    Waiter next = entering.poll();
    if (next != null) {
      giveTo(next);
    }
  }

  private static boolean holds(BooleanSupplier condition) {
    try {
      return holdsNow(condition);
    } catch (Throwable e) {
      return true; // let its waiter test it again and get the exception in its own event
    }
  }

  /** Tests a condition, which must not suspend: it runs while the monitor changes hands. */
  private static boolean holdsNow(BooleanSupplier condition) {
    String before = Waiter.forbidSuspension(
        "a Monitor condition must not suspend (no sync calls, futures or sleeps in it)");
    try {
      return condition.getAsBoolean();
    } finally {
      Waiter.allowSuspension(before);
    }
  }

  private void giveTo(Waiter w) {
    holder = w.thread();
    depth = 1;
    w.complete(null);
  }

  private static void requireEvent() {
    if (!Waiter.onBaton()) {
      throw new IllegalStateException("a Monitor is used from events of one process "
          + "(expected: a handler or callback, with rpc-sync)");
    }
  }
}
