package dev.moonwire.csp.internal;

import dev.moonwire.csp.ChannelClosedException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * {@code Alt.select}: the commit protocol. With the locks of all its channels held (taken in
 * one global order, so two Alts never deadlock), a select first looks for a branch ready now,
 * starting at a rotating index; the one it finds is committed then and there, and the other
 * party, if it was a waiting operation, is claimed through its own {@link Wait} cell. Otherwise
 * it queues one node per channel branch, all sharing one {@link Wait}, and lets go of the
 * locks: the first party to win that wait's cell serves exactly one node; the others are
 * withdrawn. No branch is polled in a loop.
 */
public final class Selection {
  private Selection() {}

  private static final ThreadLocal<int[]> ROTATION = ThreadLocal.withInitial(() -> new int[1]);

  public static <R> R select(List<Case<? extends R>> cases) {
    int n = cases.size();
    int skip = -1;
    int after = -1;
    LocalChannel<?>[] channels = new LocalChannel<?>[n];
    int count = 0;
    int remotes = 0;
    for (int i = 0; i < n; i++) {
      Case<? extends R> c = cases.get(i);
      if (!c.enabled) {
        continue;
      }
      switch (c.kind) {
        case READ, WRITE -> channels[count++] = c.channel;
        case REMOTE_READ -> remotes++;
        case SKIP -> skip = skip < 0 ? i : skip;
        case AFTER -> after = after < 0 || c.nanos < cases.get(after).nanos ? i : after;
      }
    }
    if (count == 0 && remotes == 0 && skip < 0 && after < 0) {
      throw new IllegalStateException("Alt.select: " + n + " guard(s), all false"
          + " (expected: one true, or an enabled after or skip; nothing could ever be ready)");
    }
    channels = distinctInLockOrder(channels, count);
    int start = nextStart(n);
    int chosen = -1;
    Object received = null;
    Wait wait = null;
    Node[] nodes = new Node[n];
    RemoteSlot[] slots = remotes == 0 ? null : new RemoteSlot[n];
    for (LocalChannel<?> ch : channels) {
      ch.lock().lock();
    }
    try {
      for (int k = 0; k < n && chosen < 0; k++) {
        int i = (start + k) % n;
        Case<? extends R> c = cases.get(i);
        if (!c.enabled || !c.onChannel()) {
          continue;
        }
        if (c.kind == Case.Kind.READ) {
          Object v = c.channel.takeNow();
          if (v != LocalChannel.NONE) {
            chosen = i;
            received = v;
          }
        } else {
          int r = c.channel.putNow(c.value);
          if (r != LocalChannel.FULL) {
            chosen = i;
            received = r == LocalChannel.SHUT ? LocalChannel.CLOSED : null;
          }
        }
      }
      boolean readyNow = skip >= 0 || (after >= 0 && cases.get(after).nanos == 0);
      if (chosen < 0 && !readyNow) {
        wait = new Wait();
        for (int i = 0; i < n; i++) {
          Case<? extends R> c = cases.get(i);
          if (c.enabled && c.onChannel()) {
            Node node = new Node(wait, i, c.channel, c.kind == Case.Kind.WRITE ? c.value : null);
            nodes[i] = node;
            if (c.kind == Case.Kind.READ) {
              c.channel.addReader(node);
            } else {
              c.channel.addWriter(node);
            }
          } else if (c.enabled && c.kind == Case.Kind.REMOTE_READ) {
            RemoteSlot slot = new RemoteSlot();
            Node node = new Node(wait, i, slot, null);
            slot.node = node;
            nodes[i] = node;
            slots[i] = slot;
          }
        }
      }
    } finally {
      for (int i = channels.length - 1; i >= 0; i--) {
        channels[i].lock().unlock();
      }
    }
    if (chosen >= 0) {
      return commit(cases.get(chosen), received);
    }
    if (wait == null) {
      return cases.get(skip >= 0 ? skip : after).run(null);
    }
    if (slots != null) {
      // Asked for after the locks are let go: a reservation travels, and may be delivered at once.
      for (int i = 0; i < n; i++) {
        if (slots[i] != null) {
          cases.get(i).remote.reserve(slots[i]);
        }
      }
    }
    int s;
    ScheduledFuture<?> timer = null;
    if (after >= 0) {
      Wait w = wait;
      timer = Timers.schedule(cases.get(after).nanos, () -> w.tryEnd(Wait.TIMED_OUT));
    }
    try {
      s = wait.await(nodes);
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
    }
    if (s == Wait.TIMED_OUT) {
      return cases.get(after).run(null);
    }
    Node node = nodes[s];
    if (node.failure != null) {
      throw node.failure;
    }
    return commit(cases.get(s), node.closed ? LocalChannel.CLOSED : node.item);
  }

  private static <R> R commit(Case<? extends R> c, Object received) {
    if (received == LocalChannel.CLOSED) {
      throw new ChannelClosedException("Alt.select: "
          + (c.kind != Case.Kind.WRITE ? "read on a closed channel that holds nothing more"
              : "write on a closed channel"));
    }
    return c.run(received);
  }

  /**
   * Where this thread's next select starts looking: one further each time, so a branch ready
   * at every select of a thread is passed over at most n-1 times in a row.
   */
  private static int nextStart(int n) {
    int[] r = ROTATION.get();
    int start = Math.floorMod(r[0], n);
    r[0] = start + 1;
    return start;
  }

  private static LocalChannel<?>[] distinctInLockOrder(LocalChannel<?>[] channels, int count) {
    LocalChannel<?>[] sorted = Arrays.copyOf(channels, count);
    Arrays.sort(sorted, Comparator.comparingLong(ch -> ch.id));
    int d = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (d == 0 || sorted[d - 1] != sorted[i]) {
        sorted[d++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, d);
  }
}
