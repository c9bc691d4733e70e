package dev.moonwire.rpc.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

/**
 * The call path must not pin carrier threads: JFR's {@code jdk.VirtualThreadPinned} event fires
 * when a virtual thread parks while pinned (on JDK 21, inside {@code synchronized}).
 */
class PinningTest extends ProcessTestSupport {

  @Test
  void syncCallsFuturesAndSleeps_underLoad_pinNoCarrierThread() throws Exception {
    List<RecordedEvent> pinned = new CopyOnWriteArrayList<>();
    try (RecordingStream rs = new RecordingStream()) {
      rs.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      rs.onEvent("jdk.VirtualThreadPinned", pinned::add);
      rs.startAsync();

      RpcProcess back = open();
      back.export("v", args -> {
        Rpc.sleep(Duration.ofMillis(1));
        return args.intAt(0);
      });
      RpcProcess front = open();
      front.export("twice", args -> {
        int a = Rpc.sync(back.id(), "v").call(args.intAt(0));
        RpcFuture<Integer> b = Rpc.future(back.id(), "v").call(args.intAt(0));
        return a + b.get();
      });
      RpcProcess client = open();
      List<RpcFuture<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        calls.add(client.future(front.id(), "twice").call(i));
      }
      for (int i = 0; i < 500; i++) {
        assertEquals(2 * i, calls.get(i).join());
      }
      rs.stop();
    }

    assertEquals(List.of(), pinned.stream()
        .map(e -> e.getStackTrace() == null ? "?" : e.getStackTrace().getFrames().toString())
        .toList());
  }
}
