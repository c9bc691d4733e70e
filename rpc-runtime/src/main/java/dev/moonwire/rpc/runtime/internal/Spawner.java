package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SpawnFailedException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * ALua's {@code spawn}: child JVMs on this JVM's class path, each of which tells its parent,
 * through {@link SpawnedChild}, the id of the process it opened. A process's children are
 * stopped when it closes.
 */
final class Spawner {
  /** The function a child calls, one-way, to say it is up: (token, its process id). */
  static final String FUNCTION = "moonwire.spawned";
  static final String PARENT = "moonwire.spawn.parent";
  static final String PARENT_PID = "moonwire.spawn.parentPid";
  static final String TOKEN = "moonwire.spawn.token";
  static final String INDEX = "moonwire.spawn.index";
  private static final int KEPT_LINES = 20;

  private final RuntimeProcess process;
  private final Map<String, CompletableFuture<ProcessId>> waiting = new ConcurrentHashMap<>();
  private final List<Process> children = new CopyOnWriteArrayList<>();

  Spawner(RuntimeProcess process) {
    this.process = process;
    process.export(FUNCTION, a -> {
      CompletableFuture<ProcessId> f = waiting.remove(a.stringAt(0));
      if (f != null) {
        f.complete(a.get(1, ProcessId.class));
      }
      return null;
    });
  }

  /** One child: its JVM, the last lines it printed, and the id it will announce. */
  private record Child(int index, Process jvm, ArrayDeque<String> lastLines,
      CompletableFuture<ProcessId> announced, Thread copier) {
    List<String> output() {
      synchronized (lastLines) {
        return List.copyOf(lastLines);
      }
    }
  }

  List<ProcessId> spawn(int count, Class<?> main, String[] args) {
    if (count < 1) {
      throw new IllegalArgumentException("spawn : count " + count + " (expected: >= 1)");
    }
    checkMain(main);
    List<Child> started = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        started.add(start(i, main, args));
      }
    } catch (RuntimeException e) {
      started.forEach(c -> stop(c.jvm));
      throw e;
    }
    Duration deadline = process.config().deadline();
    CompletableFuture<Void> done = allAnnounced(started);
    try {
      process.await(done.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS));
    } catch (RuntimeException e) {
      // which child failed, and how, is read before the others are stopped (and exit too)
      Child failed = started.stream().filter(c -> c.announced.isCompletedExceptionally())
          .findFirst().orElse(null);
      boolean exited = failed != null;
      if (failed == null && timedOut(e)) {
        failed = started.stream().filter(c -> !c.announced.isDone()).findFirst().orElse(null);
      }
      started.forEach(c -> {
        waiting.values().removeIf(f -> f == c.announced); // a future's equals is identity
        stop(c.jvm);
      });
      if (failed == null) {
        throw e; // not the children's doing: the wait itself failed (cancelled, say)
      }
      throw failure(failed, exited, started.size(), deadline);
    }
    return started.stream().map(c -> c.announced.join()).toList();
  }

  /** Done when all have announced themselves, failed as soon as one exits. */
  // the dependents only complete `done` and cannot fail; a child's failure reaches it through them
  @SuppressWarnings("FutureReturnValueIgnored")
  private static CompletableFuture<Void> allAnnounced(List<Child> started) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture.allOf(started.stream().map(Child::announced)
        .toArray(CompletableFuture[]::new)).thenRun(() -> done.complete(null));
    started.forEach(c -> c.announced.whenComplete((id, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      }
    }));
    return done;
  }

  private static void checkMain(Class<?> main) {
    try {
      Method m = main.getMethod("main", String[].class);
      if (!Modifier.isStatic(m.getModifiers())) {
        throw new NoSuchMethodException();
      }
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("spawn : " + main.getName()
          + " (expected: a class with public static void main(String[]))");
    }
  }

  private Child start(int index, Class<?> main, String[] args) {
    String token = UUID.randomUUID().toString();
    CompletableFuture<ProcessId> announced = new CompletableFuture<>();
    waiting.put(token, announced);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator
            + "java"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    System.getProperties().forEach((k, v) -> {
      String key = String.valueOf(k);
      if (key.startsWith("moonwire.") && !key.startsWith("moonwire.spawn.")) {
        cmd.add("-D" + key + "=" + v);
      }
    });
    if (Boolean.getBoolean("moonwire.eventLoopCarriers")) {
      cmd.add("--add-opens"); // what carrying virtual threads on the event loop needs
      cmd.add("java.base/java.lang=ALL-UNNAMED");
    }
    cmd.add("-D" + PARENT + "=" + process.id());
    cmd.add("-D" + PARENT_PID + "=" + ProcessHandle.current().pid());
    cmd.add("-D" + TOKEN + "=" + token);
    cmd.add("-D" + INDEX + "=" + index);
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Process jvm;
    try {
      jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      waiting.remove(token);
      throw new UncheckedIOException("cannot start a JVM for " + main.getName() + ": "
          + e.getMessage(), e);
    }
    children.add(jvm);
    ArrayDeque<String> lastLines = new ArrayDeque<>();
    Thread copier = Thread.ofPlatform().daemon().name("moonwire-spawn-" + jvm.pid())
        .unstarted(() -> copyOutput(jvm, lastLines));
    Child child = new Child(index, jvm, lastLines, announced, copier);
    copier.start();
    failOnExit(jvm, announced);
    return child;
  }

  // onExit() never fails and the dependent cannot throw: there is no failure to report
  @SuppressWarnings("FutureReturnValueIgnored")
  private void failOnExit(Process jvm, CompletableFuture<ProcessId> announced) {
    jvm.onExit().thenRun(() -> {
      children.remove(jvm);
      // a child that exits before it announced itself fails the spawn, once its output is in
      announced.completeExceptionally(new IllegalStateException("exited"));
    });
  }

  /** This JVM's class path, with its module path's entries (the child runs all on one). */
  private static String classPath() {
    String cp = System.getProperty("java.class.path", "");
    String mp = System.getProperty("jdk.module.path", "");
    if (mp.isEmpty()) {
      return cp;
    }
    return cp.isEmpty() ? mp : cp + File.pathSeparator + mp;
  }

  /** Passes the child's output on, keeping its last lines for a failure's message. */
  private static void copyOutput(Process jvm, ArrayDeque<String> lastLines) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        System.out.println(line);
        synchronized (lastLines) {
          if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
          }
          lastLines.addLast(line);
        }
      }
    } catch (IOException e) {
      // the child is gone: what it printed is in
    }
  }

  private static boolean timedOut(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** Why a spawn failed: {@code failed} exited before it announced itself, or was late. */
  private static SpawnFailedException failure(Child failed, boolean exited, int count,
      Duration deadline) {
    awaitExit(failed.jvm);
    try {
      failed.copier.join(TimeUnit.SECONDS.toMillis(5)); // the last lines are in once it ends
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int code = exited ? failed.jvm.exitValue() : -1;
    List<String> lines = failed.output();
    String what = exited ? "exited with code " + code + " before it opened a process"
        : "did not open a process within " + deadline.toMillis() + " ms, and was stopped";
    return new SpawnFailedException("spawned child " + failed.index + " of " + count
        + " (pid " + failed.jvm.pid() + ") " + what + "; the others were stopped. Its last "
        + "output:" + (lines.isEmpty() ? " (none)" : "\n  " + String.join("\n  ", lines)),
        failed.index, code, lines);
  }

  /** Waits a little for a stopped or exiting child, so its exit code and output are in. */
  private static void awaitExit(Process jvm) {
    try {
      jvm.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(Process jvm) {
    jvm.destroy();
    jvm.onExit().orTimeout(5, TimeUnit.SECONDS)
        .exceptionally(t -> {
          jvm.destroyForcibly();
          return null;
        });
  }

  /** The process closes: its children stop. */
  void stopAll() {
    children.forEach(Spawner::stop);
  }
}
