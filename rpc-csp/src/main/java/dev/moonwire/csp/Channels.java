package dev.moonwire.csp;

import dev.moonwire.csp.internal.LocalChannel;
import dev.moonwire.csp.internal.remote.ChannelHost;
import dev.moonwire.csp.internal.remote.RemoteChannel;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Channels across processes: one process owns a channel and exports it by name; others read
 * and write it through {@link #remote}.
 *
 * <pre>{@code
 * Channels.export(owner, "jobs", jobs, Job.class);                  // jobs: a Channel.create(...)
 * Channel<Job> remote = Channels.remote(worker, owner.id(), "jobs", Job.class);
 * Job j = remote.read();
 * }</pre>
 *
 * <p>A remote channel keeps the local semantics. Its {@code read} and {@code write} are
 * suspension points that wait as long as local ones (no call deadline), travel as ordinary
 * calls (so budgets, TLS and observers apply), and end early only on cancellation or the
 * owner's failure: the owner's death fails them with
 * {@link dev.moonwire.rpc.PeerUnavailableException}, its close with
 * {@link dev.moonwire.rpc.ProcessClosedException}, a channel it never exported with
 * {@link dev.moonwire.rpc.NoSuchFunctionException}; a closed channel is
 * {@link ChannelClosedException}. A cancelled remote read or write either happened (it
 * returns normally, the cancellation kept for the next suspension point) or left the channel
 * untouched. A value is never lost: one taken by a reader whose process dies before it has it
 * goes back to the head of the channel, about a second after (the owner asks the reader).
 *
 * <p>On a buffered channel, remote writes stream on credit that the owner grants from the
 * channel's depth: all remote writers together have at most {@code depth} values in flight;
 * a write returns while its writer holds credit; a value the owner could not take fails the
 * writer's next operation, naming how many; the writer's {@code close()} returns once all it
 * wrote was accepted. Remote reads can be {@link Alt} read guards.
 */
public final class Channels {
  private static final Map<Key, ChannelHost> EXPORTED = new ConcurrentHashMap<>();

  private record Key(RpcProcess process, String name) {}

  private Channels() {}

  /**
   * Lets other processes read and write {@code channel} as {@code name}. Values written
   * remotely must be instances of {@code type} (and registered with both processes'
   * {@link dev.moonwire.rpc.RpcConfig#register}); others are refused with
   * {@link dev.moonwire.rpc.BadArgumentsException} at the writer. The owner's operations run
   * as its events.
   *
   * @throws IllegalArgumentException if {@code channel} was not made by {@link Channel#create},
   *     {@code name} is blank, or {@code process} already exports a channel of that name
   * @throws dev.moonwire.rpc.ProcessClosedException if {@code process} is closed
   */
  public static <T> void export(RpcProcess process, String name, Channel<T> channel,
      Class<T> type) {
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(type, "type");
    if (!(Objects.requireNonNull(channel, "channel") instanceof LocalChannel<T> local)) {
      throw new IllegalArgumentException("Channels.export of " + channel.getClass().getName()
          + " (expected: a channel made by Channel.create)");
    }
    EXPORTED.keySet().removeIf(k -> k.process().isClosed()); // closed owners export nothing
    ChannelHost host = new ChannelHost(process, checkName(name), local, type);
    if (EXPORTED.putIfAbsent(new Key(process, name), host) != null) {
      throw new IllegalArgumentException(process.id() + " already exports a channel " + name);
    }
    try {
      host.export();
    } catch (RuntimeException e) {
      EXPORTED.remove(new Key(process, name));
      throw e;
    }
  }

  /**
   * Channel {@code name} of {@code owner}, used from {@code process}. Making it sends nothing;
   * each operation is a call to the owner, as the class documentation says. Values read that
   * are not instances of {@code type} fail the read with
   * {@link dev.moonwire.rpc.ProtocolException}.
   */
  public static <T> Channel<T> remote(RpcProcess process, ProcessId owner, String name,
      Class<T> type) {
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(type, "type");
    return new RemoteChannel<>(process, owner, checkName(name), type);
  }

  /**
   * Stops exporting channel {@code name} of {@code process}: remote operations that come
   * after fail {@link dev.moonwire.rpc.NoSuchFunctionException}; the channel itself is left
   * as it is.
   *
   * @return true if {@code process} exported a channel of that name
   */
  public static boolean unexport(RpcProcess process, String name) {
    ChannelHost host = EXPORTED.remove(new Key(Objects.requireNonNull(process, "process"),
        Objects.requireNonNull(name, "name")));
    return host != null && host.unexport();
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a channel's name must not be blank");
    }
    return name;
  }
}
