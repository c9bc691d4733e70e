package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child's side of {@link Spawner}: in a JVM started by {@code spawn}, the first process
 * opened tells the parent its id — once it has exported nothing more for {@link #QUIET}, so that
 * what a child exports right after opening is there when its parent gets the id — and the JVM
 * exits when its parent's JVM is gone.
 */
final class SpawnedChild {
  private SpawnedChild() {}

  private static final Logger log =
      LoggerFactory.getLogger(dev.moonwire.rpc.runtime.internal.transport.Loggers.PROCESS);
  static final Duration QUIET = Duration.ofMillis(50);
  private static final AtomicBoolean CLAIMED = new AtomicBoolean();
  private static volatile RuntimeProcess announcing;
  private static volatile long lastExport;

  /** A process opened in this JVM. */
  static void opened(RuntimeProcess process) {
    String parent = System.getProperty(Spawner.PARENT);
    String token = System.getProperty(Spawner.TOKEN);
    if (parent == null || token == null || !CLAIMED.compareAndSet(false, true)) {
      return;
    }
    watchParent();
    announcing = process;
    lastExport = System.nanoTime();
    announceWhenQuiet(process, ProcessId.parse(parent), token);
  }

  /** The process exported a function: the announcement waits a little longer. */
  static void exported(RuntimeProcess process) {
    if (announcing == process) {
      lastExport = System.nanoTime();
    }
  }

  private static void announceWhenQuiet(RuntimeProcess process, ProcessId parent, String token) {
    long quietFor = System.nanoTime() - lastExport;
    if (quietFor < QUIET.toNanos()) {
      process.schedule(() -> announceWhenQuiet(process, parent, token),
          Duration.ofNanos(QUIET.toNanos() - quietFor));
      return;
    }
    announcing = null;
    if (!process.isClosed()) {
      process.send(parent, Spawner.FUNCTION, token, process.id());
    }
  }

  /** Exits this JVM when the parent's is gone, killed or not. */
  // onExit() never fails and its dependent exits the JVM: there is no failure to report
  @SuppressWarnings("FutureReturnValueIgnored")
  private static void watchParent() {
    String pid = System.getProperty(Spawner.PARENT_PID);
    if (pid == null) {
      return;
    }
    ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
        parent -> parent.onExit().thenRun(SpawnedChild::parentGone),
        SpawnedChild::parentGone);
  }

  private static void parentGone() {
    log.warn("the JVM that spawned this one is gone; exiting");
    System.exit(0);
  }
}
