package dev.moonwire.csp;

import dev.moonwire.csp.internal.LocalChannel;
import java.util.Optional;

/**
 * Csp.lua's {@code Channel(depth)}: a FIFO of {@code depth} cells between processes — fibers
 * (events of one process), threads or both. Depth 0 is the classic rendezvous: a writer waits
 * until a reader took its value, and a reader until a writer came.
 *
 * <pre>{@code
 * Channel<Integer> ch = Channel.create(0);
 * Csp.par(() -> ch.write(42), () -> System.out.println(ch.read()));
 * }</pre>
 *
 * <p><b>Waits.</b> {@link #read} and {@link #write} are suspension points: inside an event of a
 * process they suspend it (the process runs its other events meanwhile), elsewhere they block
 * the thread. Waiting readers and writers are served first come, first served. A wait that is
 * cancelled (the request's {@code CANCEL} or deadline, a cancelled branch, an interrupt) throws
 * {@link dev.moonwire.rpc.CancelledException} and leaves the channel as if it had never been
 * called: a value is either taken by exactly one reader or stays with its writer. If the value
 * was handed over at the very moment of the cancellation, the operation completes normally and
 * the cancellation is kept for the thread's next suspension point (its interrupt status is set).
 *
 * <p><b>Closing.</b> After {@link #close()}, writers fail with {@link ChannelClosedException}
 * at once (waiting ones too, keeping their values); readers take what is left, then fail the
 * same way.
 *
 * <p>All methods may be called from any thread. Channels made by {@link #create} can be
 * guards of an {@link Alt}; {@linkplain Channels#remote remote} ones can be its read guards.
 *
 * @param <T> the type of the values; never {@code null}
 */
public interface Channel<T> {

  /**
   * A new channel of {@code depth} cells; 0 makes a rendezvous channel.
   *
   * @throws IllegalArgumentException if {@code depth} is negative
   */
  static <T> Channel<T> create(int depth) {
    return new LocalChannel<>(depth);
  }

  /**
   * Takes the oldest value, waiting (a suspension point) while there is none. On a rendezvous
   * channel, the writer whose value it takes returns.
   *
   * @throws ChannelClosedException if the channel is closed and holds nothing more
   * @throws dev.moonwire.rpc.CancelledException if the wait is cancelled; nothing was taken
   */
  T read();

  /**
   * Puts {@code value}, waiting (a suspension point) while the channel is full; on a rendezvous
   * channel, returns once a reader took it.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws ChannelClosedException if the channel is or becomes closed before the value was
   *     accepted; the value is not in the channel
   * @throws dev.moonwire.rpc.CancelledException if the wait is cancelled; the value is not in
   *     the channel and no reader has it
   */
  void write(T value);

  /**
   * Puts {@code value} if that needs no wait: a reader is waiting, or a cell is free. Never
   * waits.
   *
   * @return true if the value was accepted
   * @throws NullPointerException if {@code value} is null
   * @throws ChannelClosedException if the channel is closed
   */
  boolean offer(T value);

  /**
   * Takes the oldest value if there is one now (a buffered value, or a waiting writer's). Never
   * waits.
   *
   * @return the value, or empty if none is there now
   * @throws ChannelClosedException if the channel is closed and holds nothing more
   */
  Optional<T> poll();

  /**
   * Closes the channel, as the class documentation says; a second call does nothing. Never
   * waits.
   */
  void close();
}
