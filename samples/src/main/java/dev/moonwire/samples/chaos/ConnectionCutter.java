package dev.moonwire.samples.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a member's TCP connections from outside its JVM, as a middlebox resetting them would:
 * Linux's {@code ss -K} destroys each socket the member's process holds (the peer gets a
 * reset, bytes in flight are lost). Moonwire's runtime has no per-process hook to cut a
 * connection yet; this needs root (CAP_NET_ADMIN) and a kernel with
 * {@code CONFIG_INET_DIAG_DESTROY}, which {@link #available()} checks on a connection of its own.
 */
final class ConnectionCutter {
  private static final Pattern ADDRESSES =
      Pattern.compile("(\\S+):(\\d+)\\s+(\\S+):(\\d+)\\s+users:.*pid=(\\d+),");

  private ConnectionCutter() {}

  /** Null if cutting works here, else why not. */
  static String available() {
    try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      run("ss", "-K", "-tnH", "state", "established", "sport", "=", ":" + client.getLocalPort(),
          "and", "dport", "=", ":" + server.getLocalPort());
      accepted.setSoTimeout(2_000);
      try {
        InputStream in = accepted.getInputStream();
        if (in.read() == -1) {
          return null; // closed under it: cut
        }
      } catch (java.net.SocketTimeoutException e) {
        return "ss -K did not cut a connection (it needs root and CONFIG_INET_DIAG_DESTROY)";
      } catch (IOException e) {
        return null; // reset: cut
      }
      return "ss -K did not cut a connection";
    } catch (IOException e) {
      return "ss -K cannot be run: " + e.getMessage();
    }
  }

  /**
   * Resets every established TCP connection of the process {@code pid} whose ends are not on
   * {@code sparedPort}. Returns how many it cut.
   */
  static int cut(long pid, int sparedPort) throws IOException {
    List<String> lines = run("ss", "-tnpH", "state", "established");
    int cut = 0;
    for (String line : lines) {
      Matcher m = ADDRESSES.matcher(line);
      if (!m.find() || Long.parseLong(m.group(5)) != pid) {
        continue;
      }
      String local = m.group(2);
      String peer = m.group(4);
      if (local.equals(String.valueOf(sparedPort)) || peer.equals(String.valueOf(sparedPort))) {
        continue;
      }
      run("ss", "-K", "-tnH", "state", "established", "sport", "=", ":" + local, "and", "dport",
          "=", ":" + peer);
      cut++;
    }
    return cut;
  }

  private static List<String> run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
      }
    }
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not end");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return lines;
  }
}
