package dev.moonwire.rpc.sync;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.sync.internal.Waiter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A synchronizer after Frølund and Agha (seed 000; the rendezvous {@code in op(...) and guard}
 * of seed 004): constraints hold invocations back, triggers change state as invocations are
 * accepted.
 *
 * <pre>{@code
 * Synchronizer s = Synchronizer.create()
 *     .addConstraint("buffer", "put", req -> buffer.size() < CAPACITY)
 *     .setTrigger("buffer", "put", req -> buffer.add(req.get(0)))
 *     .addConstraint("buffer", "get", req -> !buffer.isEmpty())
 *     .setTrigger("buffer", "get", req -> taken.put(req, buffer.poll()));
 * server.export("put", s.guard("buffer", "put", req -> null));
 * server.export("get", s.guard("buffer", "get", taken::remove));
 * }</pre>
 *
 * <p>Keep what the constraints read in the triggers, as above: a held invocation is accepted
 * (and its triggers fire) the moment its constraints hold, but its handler runs later, when its
 * turn on the process comes, so a handler must not be where the shared state changes.
 *
 * <p>An invocation of a guarded operation whose constraints do not all hold <b>stays pending</b>
 * — its caller just waits — and is examined again each time a trigger has changed the state,
 * held invocations in arrival order. Accepting an invocation fires its triggers at once, in the
 * same event: acceptance and state change are atomic. {@link #pending} counts the invocations
 * held for an operation (Ada's {@code 'Count}, seed 004's {@code ?O}), for priorities.
 *
 * <p>An <em>object</em> names what the operations belong to: an exported group, a whole
 * process. <b>Threading:</b> a synchronizer belongs to one process and is used from its events
 * with the synchronous layer; constraints and triggers run there, under the baton, and must not
 * suspend: one that tries fails its invocation with an {@link IllegalStateException}. A
 * constraint or trigger that throws fails that invocation (its caller gets a
 * {@link RemoteInvocationException}) and the held invocations are examined again. A held
 * invocation that is cancelled, or whose deadline passes, leaves with a
 * {@link CancelledException} and is never accepted: no trigger fires for it.
 */
public final class Synchronizer {
  private final Map<String, List<Constraint>> constraints = new HashMap<>();
  private final Map<String, List<Trigger>> triggers = new HashMap<>();
  private final List<Held> held = new ArrayList<>();

  private static final class Held {
    private static final int WAITING = 0;
    private static final int ACCEPTED = 1;
    private static final int CANCELLED = 2;

    final String key;
    final Args request;
    final Waiter waiter = Waiter.forCurrentThread();
    /** True once the request is cancelled, seen by other events before the held thread runs. */
    final java.util.function.BooleanSupplier requestCancelled =
        dev.moonwire.rpc.runtime.internal.dispatch.Dispatcher.currentCancellation();
    /**
     * WAITING, then ACCEPTED (by an event that examines the held ones) or CANCELLED (by the
     * held thread when its request is cancelled, without the baton): whichever comes first.
     */
    final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
    Exception failure;

    Held(String key, Args request) {
      this.key = key;
      this.request = request;
    }

    boolean accept() {
      return !requestCancelled.getAsBoolean() && state.compareAndSet(WAITING, ACCEPTED);
    }

    boolean cancel() {
      return state.compareAndSet(WAITING, CANCELLED);
    }

    boolean accepted() {
      return state.get() == ACCEPTED;
    }
  }

  private Synchronizer() {}

  /** A synchronizer with no constraints and no triggers. */
  public static Synchronizer create() {
    return new Synchronizer();
  }

  /** Adds a constraint to {@code operation} of {@code object}; all its constraints must hold. */
  public Synchronizer addConstraint(String object, String operation, Constraint constraint) {
    constraints.computeIfAbsent(key(object, operation), k -> new ArrayList<>()).add(constraint);
    return this;
  }

  /** Adds a trigger to {@code operation} of {@code object}; they fire in the order added. */
  public Synchronizer setTrigger(String object, String operation, Trigger trigger) {
    triggers.computeIfAbsent(key(object, operation), k -> new ArrayList<>()).add(trigger);
    return this;
  }

  /**
   * {@code handler} as {@code operation} of {@code object}: it runs once the invocation is
   * accepted, after the operation's triggers have fired.
   */
  public Handler guard(String object, String operation, Handler handler) {
    String key = key(object, operation);
    return args -> {
      admit(key, args);
      return handler.handle(args);
    };
  }

  /** How many invocations of {@code operation} of {@code object} are held now. */
  public int pending(String object, String operation) {
    String key = key(object, operation);
    int n = 0;
    for (Held h : held) {
      if (h.key.equals(key)) {
        n++;
      }
    }
    return n;
  }

  /** Examines the held invocations again, after state changed outside the triggers. */
  public void recheck() {
    requireEvent();
    acceptHeld();
  }

  private void admit(String key, Args request) throws Exception {
    requireEvent();
    if (allows(key, request)) {
      try {
        fire(key, request);
      } finally {
        acceptHeld(); // even if a trigger threw: the ones before it may have changed the state
      }
      return;
    }
    Held h = new Held(key, request);
    held.add(h);
    h.waiter.await(() -> {
      h.cancel(); // no trigger may fire for it from now on
      h.waiter.complete(null);
    });
    if (h.failure != null) {
      throw h.failure;
    }
    if (h.accepted() && h.waiter.interrupted()) {
      // Accepted just before the cancel landed: the invocation goes on (its triggers fired),
      // but the cancel must not be lost: the next suspension point throws it.
      Thread.currentThread().interrupt();
    }
    if (!h.accepted()) {
      h.cancel();
      held.remove(h);
      throw new CancelledException("cancelled while held by a synchronizer constraint");
    }
  }

  /** Accepts held invocations whose constraints now hold, oldest first, until none does. */
  private void acceptHeld() {
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
        Held h = it.next();
        if (h.state.get() == Held.CANCELLED || h.requestCancelled.getAsBoolean()) {
          it.remove(); // its caller is gone; it leaves without firing anything
          continue;
        }
        try {
          if (!allows(h.key, h.request)) {
            continue;
          }
          if (!h.accept()) {
            it.remove(); // cancelled just now
            continue;
          }
          fire(h.key, h.request);
        } catch (Exception e) {
          h.failure = e;
        }
        it.remove();
        h.waiter.complete(null);
        changed = true;
        break; // its triggers changed the state: start again from the oldest
      }
    }
  }

  private static final String NO_SUSPENSION = "a Synchronizer constraint or trigger must not "
      + "suspend (no sync calls, futures or sleeps in it): it runs while invocations are "
      + "accepted";

  private boolean allows(String key, Args request) throws Exception {
    String before = Waiter.forbidSuspension(NO_SUSPENSION);
    try {
      for (Constraint c : constraints.getOrDefault(key, List.of())) {
        if (!c.allows(request)) {
          return false;
        }
      }
      return true;
    } finally {
      Waiter.allowSuspension(before);
    }
  }

  private void fire(String key, Args request) throws Exception {
    String before = Waiter.forbidSuspension(NO_SUSPENSION);
    try {
      for (Trigger t : triggers.getOrDefault(key, List.of())) {
        t.fire(request);
      }
    } finally {
      Waiter.allowSuspension(before);
    }
  }

  private static String key(String object, String operation) {
    return object + "\u0000" + operation;
  }

  private static void requireEvent() {
    if (!Waiter.onBaton()) {
      throw new IllegalStateException("a Synchronizer is used from events of one process "
          + "(expected: a handler or callback, with rpc-sync)");
    }
  }
}
