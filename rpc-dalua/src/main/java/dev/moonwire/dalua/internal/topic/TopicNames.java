package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.Ordering;
import dev.moonwire.rpc.GroupException;
import java.util.Set;

/**
 * A topic's groups in the directory, and the check that one name has one type. The directory
 * holds only groups and their members, so the declaration is in the group's name:
 * {@code dalua.topic:<length>:<name>:<type>:<ordering>} — every process that declared the
 * topic (each may publish) — and that name with {@code /subscribers} after it (FIFO's
 * subscribers). The name's length first makes the prefix of one name never that of another.
 */
record TopicNames(String name, Class<?> type, Ordering ordering) {
  private static final String ROOT = "dalua.topic:";
  private static final String SUBSCRIBERS = "/subscribers";

  /** The prefix every declaration of this name shares. */
  String prefix() {
    return ROOT + name.length() + ":" + name + ":";
  }

  /** The group of the processes that declared the topic; also the topic's key on the wire. */
  String declared() {
    return prefix() + type.getName() + ":" + ordering;
  }

  /** The group of the processes subscribed to a FIFO topic. */
  String subscribers() {
    return declared() + SUBSCRIBERS;
  }

  /**
   * Throws if {@code groups} hold a declaration of this name with another type or ordering.
   *
   * @throws GroupException naming both declarations
   */
  void checkAgainst(Set<String> groups) {
    for (String g : groups) {
      if (g.startsWith(prefix()) && !g.endsWith(SUBSCRIBERS) && !g.equals(declared())) {
        String other = g.substring(prefix().length());
        throw new GroupException("topic '" + name + "' declared with " + type.getName() + ":"
            + ordering + " : it is declared already with " + other
            + " (expected: one message type and ordering per topic name)");
      }
    }
  }
}
