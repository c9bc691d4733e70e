package dev.moonwire.rpc.sync.internal;

import dev.moonwire.rpc.CancelledException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A peer program for failure tests, run in its own JVM by {@link ChildPeer}. Prints
 * {@code READY <port>}; reads commands on standard input ({@code close} closes the process
 * gracefully and prints {@code CLOSED}); ends when standard input closes.
 */
public final class PeerMain {
  private PeerMain() {}

  private static int hanging; // process state: requests suspended in "hang" or "hold"

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    RpcProcess self = Rpc.open(RpcConfig.port(port).withCloseGrace(Duration.ofSeconds(5)));
    self.export("echo", a -> a.get(0));
    self.export("hanging", a -> hanging);
    self.export("hang", a -> {
      hanging++;
      try {
        Rpc.sleep(Duration.ofSeconds(60));
        return "woke";
      } finally {
        hanging--;
      }
    });
    // sleepy(ms, reportTo, tag): tells reportTo when it starts and when it is interrupted
    self.export("sleepy", a -> {
      ProcessId reportTo = ProcessId.parse(a.stringAt(1));
      String tag = a.stringAt(2);
      Rpc.send(reportTo, "started", tag);
      try {
        Rpc.sleep(Duration.ofMillis(a.longAt(0)));
        return "slept";
      } catch (CancelledException e) {
        Rpc.send(reportTo, "interrupted", tag);
        throw e;
      }
    });
    self.export("hold", a -> {
      hanging++;
      try {
        Rpc.sleep(Duration.ofMillis(a.longAt(0)));
        return "held";
      } finally {
        hanging--;
      }
    });
    // callBack(target, function): a sync call from this peer into the test's process
    self.export("callBack", a -> Rpc.sync(ProcessId.parse(a.stringAt(0)), a.stringAt(1)).call());
    System.out.println("READY " + self.id().port());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("close")) {
        self.close();
        System.out.println("CLOSED");
        System.out.flush();
      }
    }
    self.close();
  }
}
