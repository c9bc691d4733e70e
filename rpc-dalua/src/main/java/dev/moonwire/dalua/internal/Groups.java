package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Groups and their members in join order: the state a directory holds. Not thread-safe: its
 * owner guards it. Each change returns the members to tell, so the owner tells them outside
 * its lock.
 */
final class Groups {
  private final Map<String, LinkedHashSet<ProcessId>> groups = new LinkedHashMap<>();

  void create(String app) {
    if (groups.putIfAbsent(app, new LinkedHashSet<>()) != null) {
      throw new GroupException("app '" + app + "' exists (expected: a new name, or join it)");
    }
  }

  void destroy(String app) {
    members(app);
    groups.remove(app);
  }

  /** Adds {@code p}; returns the members to tell (all, {@code p} included), or none if it was in. */
  List<ProcessId> join(String app, ProcessId p) {
    LinkedHashSet<ProcessId> m = members(app);
    return m.add(p) ? List.copyOf(m) : List.of();
  }

  /** Removes {@code p}; returns the members to tell ({@code p} and those left), or none. */
  List<ProcessId> leave(String app, ProcessId p) {
    LinkedHashSet<ProcessId> m = members(app);
    if (!m.remove(p)) {
      return List.of();
    }
    List<ProcessId> tell = new ArrayList<>(m);
    tell.add(p);
    return tell;
  }

  /** Removes {@code p} from every group; for each group it was in, the members left. */
  Map<String, List<ProcessId>> drop(ProcessId p) {
    Map<String, List<ProcessId>> told = new LinkedHashMap<>();
    groups.forEach((app, m) -> {
      if (m.remove(p)) {
        told.put(app, List.copyOf(m));
      }
    });
    return told;
  }

  List<ProcessId> processes(String app) {
    return List.copyOf(members(app));
  }

  Set<String> applications() {
    return new TreeSet<>(groups.keySet());
  }

  /** Every process that is a member of some group. */
  Set<ProcessId> everyMember() {
    Set<ProcessId> all = new HashSet<>();
    groups.values().forEach(all::addAll);
    return all;
  }

  private LinkedHashSet<ProcessId> members(String app) {
    LinkedHashSet<ProcessId> m = groups.get(app);
    if (m == null) {
      throw new GroupException("no app '" + app + "' (expected: one of " + applications()
          + ", or create it first)");
    }
    return m;
  }
}
