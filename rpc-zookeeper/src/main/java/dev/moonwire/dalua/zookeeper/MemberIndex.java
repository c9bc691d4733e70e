package dev.moonwire.dalua.zookeeper;

import dev.moonwire.rpc.ProcessId;
import java.util.HashMap;
import java.util.Map;

/**
 * The member nodes a session's cache has seen, indexed so that each cache event costs what it
 * changes (a map update), not a scan of every group: by group and node name, and a count of the
 * nodes each process has in each group and in all. Thread-safe (the cache's thread writes it,
 * callers of the session read it).
 */
final class MemberIndex {
  /** A member node: the process it names (null if it names none), its session, its creation. */
  record Member(ProcessId id, long owner, long czxid) {}

  private final Map<String, Map<String, Member>> byApp = new HashMap<>();
  private final Map<String, Map<ProcessId, Integer>> countsByApp = new HashMap<>();
  private final Map<ProcessId, Integer> counts = new HashMap<>();

  /** Adds node {@code node} of {@code app}; returns if its process was in no other node there. */
  synchronized boolean put(String app, String node, Member member) {
    Member old = byApp.computeIfAbsent(app, a -> new HashMap<>()).put(node, member);
    if (old != null) {
      uncount(app, old.id());
    }
    return count(app, member.id()) == 1;
  }

  /**
   * Removes node {@code node} of {@code app}; returns it, or null if it was not here. After it,
   * {@link #contains} tells whether its process is still in the group through another node.
   */
  synchronized Member remove(String app, String node) {
    Map<String, Member> nodes = byApp.get(app);
    Member old = nodes == null ? null : nodes.remove(node);
    if (old == null) {
      return null;
    }
    if (nodes.isEmpty()) {
      byApp.remove(app);
    }
    uncount(app, old.id());
    return old;
  }

  /** The member node {@code node} of {@code app}, or null if not seen (yet). */
  synchronized Member get(String app, String node) {
    Map<String, Member> nodes = byApp.get(app);
    return nodes == null ? null : nodes.get(node);
  }

  /** Whether {@code id} has a node in {@code app}. */
  synchronized boolean contains(String app, ProcessId id) {
    Map<ProcessId, Integer> c = countsByApp.get(app);
    return c != null && c.containsKey(id);
  }

  /**
   * The newest creation zxid of {@code id}'s nodes, 0 if it has none: at least its membership
   * epoch (its first node's in its session). A scan, asked only when a member claims an epoch
   * past the one last vouched for.
   */
  synchronized long newest(ProcessId id) {
    if (!counts.containsKey(id)) {
      return 0;
    }
    long newest = 0;
    for (Map<String, Member> nodes : byApp.values()) {
      for (Member m : nodes.values()) {
        if (id.equals(m.id())) {
          newest = Math.max(newest, m.czxid());
        }
      }
    }
    return newest;
  }

  /** Whether {@code id} has a node in any group. */
  synchronized boolean holds(ProcessId id) {
    return counts.containsKey(id);
  }

  private int count(String app, ProcessId id) {
    if (id == null) {
      return 0;
    }
    counts.merge(id, 1, Integer::sum);
    return countsByApp.computeIfAbsent(app, a -> new HashMap<>()).merge(id, 1, Integer::sum);
  }

  private void uncount(String app, ProcessId id) {
    if (id == null) {
      return;
    }
    counts.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
    Map<ProcessId, Integer> c = countsByApp.get(app);
    if (c != null) {
      c.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
      if (c.isEmpty()) {
        countsByApp.remove(app);
      }
    }
  }
}
