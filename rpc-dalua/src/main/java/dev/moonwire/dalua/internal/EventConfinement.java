package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.spi.RpcProvider;
import java.util.Comparator;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The check behind DESIGN §8's "the algorithms need no locks": their state belongs to the
 * process's events, so every method that changes it first asks {@link #check} that it runs on
 * one. A public method called from another thread hops onto the process ({@code execute},
 * {@code submit}) before it touches state; a path that forgets to is a bug this reports at once
 * instead of a race found in production.
 */
public final class EventConfinement {
  private static final RpcProvider PROVIDER = ServiceLoader.load(RpcProvider.class).stream()
      .map(ServiceLoader.Provider::get)
      .max(Comparator.comparingInt(RpcProvider::priority))
      .orElseThrow(() -> new IllegalStateException(
          "no Moonwire runtime found: put rpc-runtime (or rpc-sync) on the class path"));

  private EventConfinement() {}

  /** True if the calling thread runs an event of {@code process}. */
  public static boolean onEventOf(RpcProcess process) {
    return PROVIDER.current() == process;
  }

  /**
   * Runs {@code action} on an event of {@code process} — at once if the caller runs one — and
   * returns its result; elsewhere the caller waits. What it throws is thrown here.
   *
   * @throws dev.moonwire.rpc.ProcessClosedException if the process is closed
   */
  public static <T> T onEvent(RpcProcess process, Supplier<T> action) {
    if (onEventOf(process)) {
      return action.get();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    process.execute(() -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Throws unless the calling thread runs an event of {@code process}.
   *
   * @param what the state about to change, for the message
   * @throws IllegalStateException naming {@code what} and the thread, off the process's events
   */
  public static void check(RpcProcess process, String what) {
    check(process, what, "");
  }

  /**
   * {@link #check(RpcProcess, String)} for the state {@code owner + what}: the two are joined
   * only to report a failure, since the check runs on every state change of every message and
   * a name built per call was a good part of what a message allocated.
   *
   * @throws IllegalStateException naming the state and the thread, off the process's events
   */
  public static void check(RpcProcess process, String owner, String what) {
    if (PROVIDER.current() != process) {
      throw new IllegalStateException(owner + what + " changed on thread "
          + Thread.currentThread().getName() + ", not on an event of its process "
          + process.id() + ": DALua's state is confined to the process's events (hop there "
          + "with execute or submit first)");
    }
  }
}
