package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees when a member is killed: one INFO line naming it and what was done,
 * not WARN stacks from the algorithms' sends. Processes with no uncaught-error handler, as a
 * user's are; slf4j-simple writes to System.err.
 */
class PeerLossLoggingTest {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream err;

  @BeforeEach
  void capture() {
    err = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(err);
    System.err.print(logged());
  }

  private String logged() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void totalOrder_aMemberKilled_isLoggedOnceAtInfo_withWhatWasDone_andNoStacks() {
    RpcProcess hub = Rpc.open(RpcConfig.defaults());
    try {
      Dalua a = Dalua.attach(hub, Directory.hostedBy(hub.id()));
      List<String> delivered = new CopyOnWriteArrayList<>();
      hub.export("apply", args -> delivered.add(args.stringAt(0)));
      a.apps().create("g");
      a.apps().join("g");
      ProcessId child = hub.spawn(1, HubMember.class, hub.id().toString(), "g").get(0);
      await().atMost(Duration.ofSeconds(20)).until(() -> a.apps().processes("g").size() == 2);
      a.total("g").send("apply", "before"); // agreed with the child's proposal
      await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("before"));
      long pid = hub.sync(child, "pid").call();

      ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
      a.total("g").send("apply", "after"); // awaits the child's proposal until it is gone

      await().atMost(Duration.ofSeconds(20)).until(() -> delivered.contains("after"));
      await().atMost(Duration.ofSeconds(5)).until(() -> logged().contains(
          "INFO dev.moonwire.dalua.Members - " + hub.id() + ": " + child + " is gone"));
      String log = logged();
      assertTrue(log.contains("is agreed without its proposal"), log);
      assertFalse(log.contains("agreeIfAllProposed") || log.contains("startNext"),
          "a stack from total order's sends:\n" + log);
    } finally {
      hub.close();
    }
  }
}
