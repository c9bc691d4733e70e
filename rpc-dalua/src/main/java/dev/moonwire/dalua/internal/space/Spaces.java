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
 * The replicated spaces of one DALua process, one per group, and their functions: {@link
 * #APPLY} (the operations the group's total order delivers, called by this process itself),
 * {@link #STATE} (a chunk of the state, to a joiner) and {@link #STATUS} (whether this member
 * holds the state). The map is touched on the process's events only.
 */
public final class Spaces {
  public static final String APPLY = "dalua.space.apply";
  static final String STATE = "dalua.space.state";
  static final String STATUS = "dalua.space.status";
  /** How many groups may have a space here. */
  static final int MAX_SPACES = 1_024;

  private final SpaceHost host;
  private final Map<String, ReplicatedSpace> spaces = new HashMap<>();

  public Spaces(SpaceHost host) {
    this.host = host;
  }

  /** Exports the spaces' functions on the host's process. */
  public Spaces export() {
    host.process().export(APPLY, a -> {
      ProcessId from = Rpc.sender();
      if (!host.process().id().equals(from)) { // only the total order's deliveries, from here
        throw new IllegalArgumentException(APPLY + " called by " + from
            + " (expected: by this process itself, delivering its group's total order)");
      }
      SpaceOp op = a.expect(1).get(0, SpaceOp.class);
      ReplicatedSpace s = spaces.get(op.group());
      if (s != null) {
        s.deliver(op);
      }
      return null;
    });
    host.process().export(STATE, a -> {
      StateChunk c = a.expect(1).get(0, StateChunk.class);
      ReplicatedSpace s = spaces.get(c.group());
      if (s != null) {
        s.receive(c, Rpc.sender());
      }
      return Boolean.TRUE;
    });
    host.process().export(STATUS, a -> {
      ReplicatedSpace s = spaces.get(a.expect(1).get(0, String.class));
      return s == null ? "none" : s.status();
    });
    return this;
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
