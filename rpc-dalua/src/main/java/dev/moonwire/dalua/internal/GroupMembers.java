package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Who is a member of a group, for the multicast messages that come from peers: a message from a
 * process that is not a member is refused, so strangers can neither deliver nor pin memory
 * here. The members last read from the directory are kept; a sender not among them makes a new
 * read (it may have joined since).
 *
 * <p>Used only in the process's events: no lock. A read may suspend the event; the map is
 * changed only after it returns.
 */
final class GroupMembers {
  private final Function<String, List<ProcessId>> directory;
  private final int maxApps;
  private final Map<String, Set<ProcessId>> known = new HashMap<>();

  /**
   * @param directory reads a group's members (may suspend the event)
   * @param maxApps how many groups' members are kept at most
   */
  GroupMembers(Function<String, List<ProcessId>> directory, int maxApps) {
    this.directory = directory;
    this.maxApps = maxApps;
  }

  /**
   * Whether {@code p} is a member of {@code app} now.
   *
   * @throws dev.moonwire.rpc.RpcException if the directory cannot be read
   */
  boolean contains(String app, ProcessId p) {
    Set<ProcessId> members = known.get(app);
    if (members != null && members.contains(p)) {
      return true;
    }
    List<ProcessId> now;
    try {
      now = directory.apply(app);
    } catch (GroupException noSuchGroup) {
      known.remove(app);
      return false;
    }
    if (known.containsKey(app) || known.size() < maxApps) {
      known.put(app, Set.copyOf(now)); // groups that exist only: bounded like the multicasts
    }
    return now.contains(p);
  }

  /**
   * Refuses a multicast message of {@code sender} for {@code app} unless it is a member.
   *
   * @throws IllegalArgumentException naming them if it is not
   */
  void check(String what, String app, ProcessId sender) {
    if (!contains(app, sender)) {
      throw new IllegalArgumentException(what + " of '" + app + "': a message of " + sender
          + " refused: not a member of the group");
    }
  }
}
