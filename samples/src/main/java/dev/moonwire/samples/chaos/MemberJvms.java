package dev.moonwire.samples.chaos;

import dev.moonwire.rpc.ProcessId;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The members' JVMs, started by the controller itself (not {@code spawn}): it must SIGKILL one
 * and start its next incarnation at the same port, and SIGSTOP/SIGCONT it. Each incarnation
 * writes {@code m<i>.<incarnation>.log} (its events) and {@code .out} (its output) in the run's
 * directory. Every JVM is killed by {@link #close()}, and by a shutdown hook if the controller
 * is stopped; each member also halts when the controller's JVM is gone.
 */
final class MemberJvms implements AutoCloseable {
  private final ProcessId hub;
  private final ProcessId resource;
  private final Path dir;
  private final long seed;
  private final int dropPercent;
  private final int[] ports;
  private final Process[] jvms;
  private final int[] incarnations;
  private final List<Process> all = new ArrayList<>();
  private final Thread hook = new Thread(this::close, "chaos-stop-members");

  MemberJvms(int members, ProcessId hub, ProcessId resource, Path dir, long seed,
      int dropPercent) {
    this.hub = hub;
    this.resource = resource;
    this.dir = dir;
    this.seed = seed;
    this.dropPercent = dropPercent;
    this.ports = freePorts(members);
    this.jvms = new Process[members];
    this.incarnations = new int[members];
    Runtime.getRuntime().addShutdownHook(hook);
  }

  int size() {
    return ports.length;
  }

  ProcessId id(int member) {
    return ProcessId.of("127.0.0.1", ports[member]);
  }

  int incarnation(int member) {
    return incarnations[member];
  }

  synchronized long pid(int member) {
    return jvms[member].pid();
  }

  /** Starts member {@code i}'s next incarnation (its first, or after a kill) at its port. */
  synchronized void start(int i) {
    int inc = jvms[i] == null ? 0 : ++incarnations[i];
    String name = "m" + i;
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator
            + "java"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    // small JVMs: five of them share two cores with the controller
    cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // the member installs the runtime's fault hook on its process from its last argument:
    // DROP percent of the one-way sends it receives are lost (frames held 0 ms: no reordering
    // beyond the network's), from a seed of its own
    cmd.addAll(List.of("-cp", classPath(), ChaosMember.class.getName(), hub.toString(),
        resource.toString(), String.valueOf(ports[i]), name, String.valueOf(inc),
        dir.resolve(name + "." + inc + ".log").toString(),
        String.valueOf(ProcessHandle.current().pid()), String.valueOf(seed * 31 + i * 7L + inc),
        (seed * 1_000 + i * 100L + inc) + ":" + dropPercent));
    try {
      jvms[i] = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + "." + inc + ".out").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a JVM for member " + name, e);
    }
    all.add(jvms[i]);
  }

  /** Whether member {@code i}'s current incarnation is still running. */
  synchronized boolean alive(int i) {
    return jvms[i].isAlive();
  }

  /** SIGKILL: the member's JVM is gone at once, nothing flushed, nothing said. */
  void kill(int i) throws InterruptedException {
    Process jvm;
    synchronized (this) {
      jvm = jvms[i];
    }
    jvm.destroyForcibly();
    jvm.waitFor(10, TimeUnit.SECONDS);
  }

  void pause(int i) {
    signal("STOP", pid(i));
  }

  void resume(int i) {
    signal("CONT", pid(i));
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills every JVM this run started (a paused one too: SIGKILL needs no SIGCONT). */
  @Override
  public synchronized void close() {
    for (Process p : all) {
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }

  private static String classPath() {
    String cp = System.getProperty("java.class.path", "");
    String mp = System.getProperty("jdk.module.path", "");
    return mp.isEmpty() ? cp : cp.isEmpty() ? mp : cp + File.pathSeparator + mp;
  }

  private static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        held.add(new ServerSocket(0));
      }
      return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find " + n + " free ports", e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // freed anyway when the socket is collected
        }
      }
    }
  }
}
