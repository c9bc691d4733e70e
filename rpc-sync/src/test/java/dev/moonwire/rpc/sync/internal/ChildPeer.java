package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.ProcessId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link PeerMain} in a child JVM: started for real, stopped and killed for real. */
final class ChildPeer implements AutoCloseable {
  final Process process;
  final ProcessId id;
  private final BufferedReader out;

  private ChildPeer(Process process, BufferedReader out, int port) {
    this.process = process;
    this.out = out;
    this.id = ProcessId.of("127.0.0.1", port);
  }

  static ChildPeer start(int port) throws IOException {
    return start(PeerMain.class, String.valueOf(port));
  }

  /**
   * Starts {@code main} in a JVM of its own with a 256 MiB heap that exits on
   * OutOfMemoryError; it must print {@code READY <port>} first.
   */
  static ChildPeer start(Class<?> main, String... args) throws IOException {
    return start(null, main.getName(), args);
  }

  /** As {@link #start(Class, String...)}, with {@code classesFirst} ahead on the class path. */
  static ChildPeer start(java.nio.file.Path classesFirst, String main, String... args)
      throws IOException {
    String classPath = System.getProperty("java.class.path");
    if (classesFirst != null) {
      classPath = classesFirst + java.io.File.pathSeparator + classPath;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    if (Runtime.version().feature() >= 24) {
      cmd.addAll(List.of("--sun-misc-unsafe-memory-access=allow",
          "--enable-native-access=ALL-UNNAMED"));
    }
    cmd.addAll(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", classPath));
    String extra = System.getProperty("moonwire.childJvmArgs", ""); // e.g. -Xlog:gc, to look
    if (!extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.add(main);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = readLine(out, p);
    while (line != null && !line.startsWith("READY ")) {
      System.out.println(line); // what the child printed first (logs, its own children's)
      line = readLine(out, p);
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("peer did not start: " + line);
    }
    return new ChildPeer(p, out, Integer.parseInt(line.substring(6).trim()));
  }

  private static String readLine(BufferedReader out, Process p) throws IOException {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    try {
      return line.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("no output from the peer", e);
    }
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Sends a signal with kill(1): STOP, CONT. */
  void signal(String name) throws IOException, InterruptedException {
    int rc = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
        .inheritIO().start().waitFor();
    if (rc != 0) {
      throw new IOException("kill -" + name + " failed: " + rc);
    }
  }

  /** Asks the peer to close its process gracefully; returns once it has. */
  void closeGracefully() throws IOException {
    OutputStream in = process.getOutputStream();
    in.write("close\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    String line = readLine(out, process);
    if (!"CLOSED".equals(line)) {
      throw new IOException("peer did not close: " + line);
    }
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
