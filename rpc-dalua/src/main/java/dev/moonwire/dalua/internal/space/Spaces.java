package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.dalua.internal.EventConfinement;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import java.util.HashMap;
import java.util.Map;

/**
 * The replicated spaces of one DALua process, one per group, and their functions ({@link
 * SpacePeer}): the operations the group's total order delivers (called by this process itself),
 * a chunk of the state (to a joiner) and whether this member holds the state. The map is touched on the process's events only.
 */
public final class Spaces {
  static final String STATE = SpacePeer.PREFIX + ".state";
  static final String STATUS = SpacePeer.PREFIX + ".status";
  /** How many groups may have a space here. */
  static final int MAX_SPACES = 1_024;

  private final SpaceHost host;
  private final Map<String, ReplicatedSpace> spaces = new HashMap<>();
  /** Syncs delivered for groups that have no copy here yet, by group (bounded per group). */
  private final Map<String, java.util.Set<Long>> syncsSeen = new HashMap<>();

  public Spaces(SpaceHost host) {
    this.host = host;
  }

  /** Exports the spaces' functions on the host's process. */
  public Spaces export() {
    host.process().export(SpacePeer.PREFIX, SpacePeer.class, new SpacePeer() {
      @Override
      public void out(SpaceOp.Out op) {
        deliver(op);
      }

      @Override
      public void ask(SpaceOp.Ask op) {
        deliver(op);
      }

      @Override
      public void cancel(SpaceOp.Cancel op) {
        deliver(op);
      }

      @Override
      public void done(SpaceOp.Done op) {
        deliver(op);
      }

      @Override
      public void expire(SpaceOp.Expire op) {
        deliver(op);
      }

      @Override
      public void gone(SpaceOp.Gone op) {
        deliver(op);
      }

      @Override
      public void sync(SpaceOp.Sync op) {
        deliver(op);
      }

      @Override
      public Boolean state(StateChunk c) {
        ReplicatedSpace s = spaces.get(c.group());
        if (s != null) {
          s.receive(c, Rpc.sender());
        }
        return Boolean.TRUE;
      }

      @Override
      public String status(String group) {
        ReplicatedSpace s = spaces.get(group);
        return s == null ? "none" : s.status();
      }
    });
    return this;
  }

  /** An operation the group's total order delivered: only from this process itself. */
  private void deliver(SpaceOp op) {
    ProcessId from = Rpc.sender();
    if (!host.process().id().equals(from)) {
      throw new IllegalArgumentException(SpacePeer.functionOf(op) + " called by " + from
          + " (expected: by this process itself, delivering its group's total order)");
    }
    ReplicatedSpace s = spaces.get(op.group());
    if (s != null) {
      s.deliver(op);
    } else if (op instanceof SpaceOp.Sync sync) {
      // Before this member's own copy exists: its Sync will come after this one, so the state
      // this one's joiner founds or receives is one this member must wait for, not found anew.
      syncsSeen.computeIfAbsent(op.group(), g -> new java.util.LinkedHashSet<>()).add(sync.id());
      java.util.Set<Long> seen = syncsSeen.get(op.group());
      if (seen.size() > 4_096) {
        seen.remove(seen.iterator().next());
      }
    }
  }

  /**
   * On an event: the space of {@code group} here, made (and its sync started) on first use.
   *
   * @throws GroupException if this process is not a member of the group, or it does not exist
   */
  public TupleSpace space(String group, SpaceLimits limits) {
    EventConfinement.check(host.process(), "tuple spaces");
    if (!host.members(group).contains(host.process().id())) { // may suspend
      throw new GroupException("tuple space '" + group + "': " + host.process().id()
          + " is not a member of the group (expected: apps().join(\"" + group
          + "\") before dalua.space)");
    }
    ReplicatedSpace s = spaces.get(group);
    if (s != null && !s.isLeft()) {
      return s;
    }
    if (spaces.size() >= MAX_SPACES && s == null) {
      throw new IllegalStateException("tuple space '" + group + "': " + MAX_SPACES
          + " spaces are open here already");
    }
    s = new ReplicatedSpace(host, group, limits);
    java.util.Set<Long> seen = syncsSeen.remove(group);
    if (seen != null) {
      s.syncsBefore(seen);
    }
    spaces.put(group, s);
    s.startSync();
    return s;
  }

  /** On an event: the directory says {@code p} left {@code group} (or died). */
  public void left(String group, ProcessId p) {
    EventConfinement.check(host.process(), "tuple spaces");
    ReplicatedSpace s = spaces.get(group);
    if (s != null) {
      s.left(p);
    }
  }
}
