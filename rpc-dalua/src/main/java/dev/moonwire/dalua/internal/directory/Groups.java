package dev.moonwire.dalua.internal.directory;

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
  /** How many groups a directory holds at most; past it, {@code create} fails. */
  static final int MAX_GROUPS = 10_000;
  /** How many distinct processes may be members at once; past it, a new one cannot join. */
  static final int MAX_MEMBERS = 10_000;
  /** How many memberships (a process in a group) a directory holds at most. */
  static final int MAX_MEMBERSHIPS = 100_000;

  private final Map<String, LinkedHashSet<ProcessId>> groups = new LinkedHashMap<>();
  /** In how many groups each member is: its keys are the members, bounded. */
  private final Map<ProcessId, Integer> memberships = new java.util.HashMap<>();
  private int total; // memberships, all groups

  void create(String app) {
    if (groups.size() >= MAX_GROUPS && !groups.containsKey(app)) {
      throw new GroupException("app '" + app + "' not created: " + MAX_GROUPS + " apps exist "
          + "already (expected: destroy some first)");
    }
    if (groups.putIfAbsent(app, new LinkedHashSet<>()) != null) {
      throw new GroupException("app '" + app + "' exists (expected: a new name, or join it)");
    }
  }

  void destroy(String app) {
    members(app);
    groups.remove(app).forEach(this::left);
  }

  /** Adds {@code p}; returns the members to tell (all, {@code p} included), or none if it was in. */
  List<ProcessId> join(String app, ProcessId p) {
    Set<ProcessId> m = members(app);
    if (m.contains(p)) {
      return List.of();
    }
    if (!memberships.containsKey(p) && memberships.size() >= MAX_MEMBERS) {
      throw new GroupException(p + " cannot join '" + app + "': " + MAX_MEMBERS + " processes "
          + "are members of this directory's apps already (expected: fewer processes per hub, "
          + "or a ZooKeeperDirectory)");
    }
    if (total >= MAX_MEMBERSHIPS) {
      throw new GroupException(p + " cannot join '" + app + "': the apps of this directory "
          + "have " + MAX_MEMBERSHIPS + " members already, all apps together (expected: fewer)");
    }
    m.add(p);
    total++;
    memberships.merge(p, 1, Integer::sum);
    return List.copyOf(m);
  }

  /** {@code p} left one group. */
  private void left(ProcessId p) {
    total--;
    memberships.computeIfPresent(p, (k, n) -> n == 1 ? null : n - 1);
  }

  /** Removes {@code p}; returns the members to tell ({@code p} and those left), or none. */
  List<ProcessId> leave(String app, ProcessId p) {
    Set<ProcessId> m = members(app);
    if (!m.remove(p)) {
      return List.of();
    }
    left(p);
    List<ProcessId> tell = new ArrayList<>(m);
    tell.add(p);
    return tell;
  }

  /** Removes {@code p} from every group; for each group it was in, the members left. */
  Map<String, List<ProcessId>> drop(ProcessId p) {
    Map<String, List<ProcessId>> told = new LinkedHashMap<>();
    groups.forEach((app, m) -> {
      if (m.remove(p)) {
        left(p);
        told.put(app, List.copyOf(m));
      }
    });
    return told;
  }

  /** How many groups {@code p} is a member of. */
  int memberships(ProcessId p) {
    return memberships.getOrDefault(p, 0);
  }

  List<ProcessId> processes(String app) {
    return List.copyOf(members(app));
  }

  Set<String> applications() {
    return new TreeSet<>(groups.keySet());
  }

  /** Every process that is a member of some group. */
  Set<ProcessId> everyMember() {
    return new HashSet<>(memberships.keySet());
  }

  private Set<ProcessId> members(String app) {
    LinkedHashSet<ProcessId> m = groups.get(app);
    if (m == null) {
      throw new GroupException("no app '" + app + "' (expected: one of " + applications()
          + ", or create it first)");
    }
    return m;
  }
}
