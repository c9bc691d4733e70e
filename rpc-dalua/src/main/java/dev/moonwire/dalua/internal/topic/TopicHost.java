package dev.moonwire.dalua.internal.topic;

import dev.moonwire.dalua.Multicast;
import dev.moonwire.dalua.Ordering;
import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What topics need of the DALua they run in: its process, its directory's groups, its ordered
 * multicasts, its failure detector, a clock. {@code Dalua} gives one; topics see nothing else.
 * The group calls may suspend inside an event and block elsewhere, like {@code Dalua.apps()}.
 */
public interface TopicHost {
  /** The process whose events hold the topics' state. */
  RpcProcess process();

  /** Creates {@code group} unless it exists. */
  void ensureGroup(String group);

  /** Joins {@code group}. */
  void join(String group);

  /** Leaves {@code group}. */
  void leave(String group);

  /**
   * The members of {@code group}, read from the directory now.
   *
   * @throws dev.moonwire.rpc.GroupException if it does not exist
   */
  List<ProcessId> members(String group);

  /** The groups that exist. */
  Set<String> groups();

  /** The causal or total multicast to the members of {@code group}. */
  Multicast multicast(String group, Ordering ordering);

  /** The failure detector DALua's algorithms share. */
  Liveness liveness();

  /** How long a publish waits for a full subscriber before it unsubscribes it. */
  Duration publishDeadline();

  /** Runs {@code task} after {@code delay} as an event of the process, unless it closed. */
  void later(Duration delay, Runnable task);

  /** Logs that {@code member} is gone and what was done: one INFO line. */
  void memberGone(ProcessId member, String done);

  /**
   * On an event: throws if the directory dropped this process and it has not joined again.
   *
   * @throws dev.moonwire.rpc.FencedException naming {@code what}
   */
  void checkNotFenced(String what);

  /** Reports {@code e} to the process's uncaught-error handler. */
  void report(RuntimeException e);
}
