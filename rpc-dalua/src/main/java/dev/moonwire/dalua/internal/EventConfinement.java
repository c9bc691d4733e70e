package dev.moonwire.dalua.internal;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.spi.RpcProvider;
import java.util.Comparator;
import java.util.ServiceLoader;

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
   * Throws unless the calling thread runs an event of {@code process}.
   *
   * @param what the state about to change, for the message
   * @throws IllegalStateException naming {@code what} and the thread, off the process's events
   */
  public static void check(RpcProcess process, String what) {
    if (PROVIDER.current() != process) {
      throw new IllegalStateException(what + " changed on thread " + Thread.currentThread().getName()
          + ", not on an event of its process " + process.id() + ": DALua's state is confined to"
          + " the process's events (hop there with execute or submit first)");
    }
  }
}
