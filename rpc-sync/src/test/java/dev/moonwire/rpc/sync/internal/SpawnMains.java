package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Programs that {@link SpawnTest} spawns in child JVMs. */
final class SpawnMains {
  private SpawnMains() {}

  private static void serveForever() throws InterruptedException {
    new CountDownLatch(1).await(); // until the parent stops this JVM, or is gone
  }

  private static int index() {
    return Integer.getInteger("moonwire.spawn.index", -1);
  }

  /** Opens a process that says which child it is and what its JVM's pid is. */
  static final class Echo {
    public static void main(String[] args) throws Exception {
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("whoami", a -> "child " + index() + " " + String.join(",", args));
      p.export("pid", a -> ProcessHandle.current().pid());
      p.export("parent", a -> Rpc.parent().orElseThrow());
      serveForever();
    }
  }

  /** Child 1 fails to start: prints why and exits with code 3. */
  static final class SecondFails {
    public static void main(String[] args) throws Exception {
      if (index() == 1) {
        System.out.println("bad config: no file /etc/nowhere.conf");
        System.exit(3);
      }
      Echo.main(args);
    }
  }

  /** Its main throws before it opens a process. */
  static final class Throws {
    // the child JVM calls it: throwing is how it shows a child that fails before it opens
    @SuppressWarnings("DoNotCallSuggester")
    public static void main(String[] args) {
      throw new IllegalStateException("cannot start: setting 'x' is missing");
    }
  }

  /** Never opens a process. */
  static final class Never {
    public static void main(String[] args) throws Exception {
      System.out.println("starting, slowly");
      serveForever();
    }
  }

  /** A parent in a JVM of its own: spawns two Echo children; tells their pids. */
  static final class Parent {
    public static void main(String[] args) throws Exception {
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      List<ProcessId> children = p.spawn(2, Echo.class);
      List<Long> pids = new ArrayList<>();
      for (ProcessId c : children) {
        pids.add(p.sync(c, "pid").call());
      }
      p.export("childPids", a -> pids);
      System.out.println("READY " + p.id().port());
      System.out.flush();
      serveForever();
    }
  }
}
