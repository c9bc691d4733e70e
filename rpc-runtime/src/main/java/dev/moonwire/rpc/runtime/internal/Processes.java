package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.RpcProcess;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The processes open in this JVM, and which one the calling thread runs events of. */
public final class Processes {
  private Processes() {}

  private static final ThreadLocal<RuntimeProcess> CURRENT = new ThreadLocal<>();
  private static final CopyOnWriteArrayList<RuntimeProcess> OPEN = new CopyOnWriteArrayList<>();

  /** The process whose events run on this thread, or null. */
  public static RuntimeProcess current() {
    return CURRENT.get();
  }

  /** Marks the calling thread as one that runs events of {@code process}. */
  public static void bind(RuntimeProcess process) {
    CURRENT.set(process);
  }

  static void opened(RuntimeProcess p) {
    OPEN.add(p);
  }

  static void closed(RuntimeProcess p) {
    OPEN.remove(p);
  }

  static List<RpcProcess> open() {
    return List.copyOf(OPEN);
  }
}
