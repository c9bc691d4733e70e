package dev.moonwire.csp.internal;

import dev.moonwire.csp.Channel;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/** One branch of an {@code Alt}: its guard (what must be ready), its condition and its action. */
public final class Case<R> {
  enum Kind { READ, REMOTE_READ, WRITE, AFTER, SKIP }

  final Kind kind;
  final LocalChannel<?> channel;
  final RemoteGuard remote;
  final Object value;
  private final Function<Object, ? extends R> onRead;
  private final Supplier<? extends R> onOther;
  final long nanos;
  final boolean enabled;

  private Case(Kind kind, LocalChannel<?> channel, RemoteGuard remote, Object value,
      Function<Object, ? extends R> onRead, Supplier<? extends R> onOther, long nanos,
      boolean enabled) {
    this.kind = kind;
    this.channel = channel;
    this.remote = remote;
    this.value = value;
    this.onRead = onRead;
    this.onOther = onOther;
    this.nanos = nanos;
    this.enabled = enabled;
  }

  @SuppressWarnings("unchecked")
  public static <T, R> Case<R> read(Channel<T> channel, Function<? super T, ? extends R> action) {
    Objects.requireNonNull(action, "action");
    Function<Object, ? extends R> onRead =
        (Function<Object, ? extends R>) (Function<?, ? extends R>) action;
    if (Objects.requireNonNull(channel, "channel") instanceof RemoteGuard remote) {
      return new Case<>(Kind.REMOTE_READ, null, remote, null, onRead, null, 0, true);
    }
    return new Case<>(Kind.READ, local(channel), null, null, onRead, null, 0, true);
  }

  public static <T, R> Case<R> write(Channel<T> channel, T value, Supplier<? extends R> action) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(action, "action");
    return new Case<>(Kind.WRITE, local(channel), null, value, null, action, 0, true);
  }

  public static <R> Case<R> after(Duration duration, Supplier<? extends R> action) {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(action, "action");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration : " + duration + " (expected: >= 0)");
    }
    long nanos;
    try {
      nanos = duration.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE;
    }
    return new Case<>(Kind.AFTER, null, null, null, null, action, nanos, true);
  }

  public static <R> Case<R> skip(Supplier<? extends R> action) {
    Objects.requireNonNull(action, "action");
    return new Case<>(Kind.SKIP, null, null, null, null, action, 0, true);
  }

  /** This case, enabled only if it was and {@code condition} holds. */
  public Case<R> when(boolean condition) {
    return new Case<>(kind, channel, remote, value, onRead, onOther, nanos,
        enabled && condition);
  }

  boolean onChannel() {
    return kind == Kind.READ || kind == Kind.WRITE;
  }

  /** Runs the action of this committed case; {@code received} is a read's value. */
  R run(Object received) {
    return kind == Kind.READ || kind == Kind.REMOTE_READ ? onRead.apply(received)
        : onOther.get();
  }

  private static LocalChannel<?> local(Channel<?> channel) {
    Objects.requireNonNull(channel, "channel");
    if (channel instanceof LocalChannel<?> local) {
      return local;
    }
    throw new IllegalArgumentException("Alt guard on " + channel.getClass().getName()
        + " (expected: a channel made by Channel.create, or a remote channel to read)");
  }
}
