package dev.moonwire.dalua;

import dev.moonwire.dalua.internal.Liveness;
import dev.moonwire.dalua.internal.topic.TopicHost;
import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessClosedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** What a {@link Dalua} gives its topics: its groups, multicasts, detector and clock. */
final class TopicsHost implements TopicHost {
  private final Dalua dalua;

  TopicsHost(Dalua dalua) {
    this.dalua = dalua;
  }

  @Override
  public RpcProcess process() {
    return dalua.process();
  }

  @Override
  public void ensureGroup(String group) {
    try {
      dalua.apps().create(group);
    } catch (GroupException exists) {
      // declared before: the group is what we wanted
    }
  }

  @Override
  public void join(String group) {
    dalua.apps().join(group);
  }

  @Override
  public void leave(String group) {
    dalua.apps().leave(group);
  }

  @Override
  public List<ProcessId> members(String group) {
    return dalua.apps().processes(group);
  }

  @Override
  public Set<String> groups() {
    return dalua.apps().applications();
  }

  @Override
  public Multicast multicast(String group, Ordering ordering) {
    return switch (ordering) {
      case CAUSAL -> dalua.causal(group);
      case TOTAL -> dalua.total(group);
      case FIFO -> throw new IllegalArgumentException("FIFO topics send themselves");
    };
  }

  @Override
  public Liveness liveness() {
    return dalua.liveness;
  }

  @Override
  public Duration publishDeadline() {
    return dalua.publishDeadline;
  }

  @Override
  public void later(Duration delay, Runnable task) {
    Runnable unused = dalua.scheduler.schedule(() -> {
      try {
        dalua.process().execute(task);
      } catch (ProcessClosedException closed) {
        // closed: nothing left to do
      }
    }, delay);
  }

  @Override
  public void memberGone(ProcessId member, String done) {
    dalua.memberGone(member, "topic", done);
  }

  @Override
  public void report(RuntimeException e) {
    dalua.reportLater(e);
  }
}
