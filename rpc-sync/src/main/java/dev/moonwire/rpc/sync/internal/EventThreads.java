package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.runtime.internal.RuntimeProcess;
import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the virtual threads that run a process's events.
 *
 * <p>By default they run on the JDK's virtual-thread scheduler. With
 * {@code -Dmoonwire.eventLoopCarriers=true} (and {@code --add-opens
 * java.base/java.lang=ALL-UNNAMED}) they are carried by the process's own I/O thread instead: a
 * request is read, handled and answered on one OS thread, with no thread hand-off in between,
 * which takes two of the six hand-offs out of a round trip. The price: a handler that blocks its
 * carrier (CPU-bound work, or {@code synchronized} waits on JDK 21-23) stalls that process's I/O.
 * The JDK offers this only through an internal constructor, so when it is not reachable the
 * default is used and a warning says why.
 */
final class EventThreads {
  private static final Logger log = LoggerFactory.getLogger(dev.moonwire.rpc.runtime.internal.transport.Loggers.PROCESS);
  static final boolean CARRIED = Boolean.getBoolean("moonwire.eventLoopCarriers");
  private static final Constructor<?> CARRIED_BUILDER = carriedBuilder();

  private EventThreads() {}

  static ThreadFactory forProcess(RuntimeProcess process) {
    String name = "moonwire-" + process.id().port() + "-event";
    if (CARRIED_BUILDER != null) {
      try {
        return ((Thread.Builder.OfVirtual) CARRIED_BUILDER.newInstance(process.homeLoop()))
            .name(name).factory();
      } catch (ReflectiveOperationException e) {
        log.warn("cannot carry virtual threads on the event loop; using the default", e);
      }
    }
    return Thread.ofVirtual().name(name).factory();
  }

  private static Constructor<?> carriedBuilder() {
    if (!CARRIED) {
      return null;
    }
    try {
      Constructor<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
          .getDeclaredConstructor(Executor.class);
      c.setAccessible(true);
      return c;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("moonwire.eventLoopCarriers is set but the JDK's virtual-thread builder is not "
          + "reachable ({}); add --add-opens java.base/java.lang=ALL-UNNAMED. Using the default "
          + "scheduler.", e.toString());
      return null;
    }
  }
}
