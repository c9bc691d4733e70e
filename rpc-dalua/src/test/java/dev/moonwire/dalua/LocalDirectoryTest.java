package dev.moonwire.dalua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.GroupException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Groups, events and their join/leave events on {@code Directory.local()}. */
class LocalDirectoryTest extends ProcessTestSupport {
  private String app;

  private Dalua attach() {
    return Dalua.attach(open(), Directory.local());
  }

  /** A group name of this test's own: the local directory is one per JVM. */
  private String app(TestInfo test) {
    app = test.getDisplayName() + "-" + System.nanoTime();
    return app;
  }

  /** What one process saw of membership: "join p" / "leave p", in order. */
  private static List<String> watch(Dalua d) {
    List<String> seen = new CopyOnWriteArrayList<>();
    d.events().monitor(Dalua.APP_JOIN, (e, a) -> {
      assertTrue(Rpc.current() == d.process(), "runs as an event of its process");
      seen.add("join " + a.get(1, ProcessId.class));
    });
    d.events().monitor(Dalua.APP_LEAVE, (e, a) -> seen.add("leave " + a.get(1, ProcessId.class)));
    return seen;
  }

  @Test
  void apps_createJoinLeaveDestroy_inJoinOrder_withTypedErrors(TestInfo test) {
    String g = app(test);
    Dalua a = attach();
    Dalua b = attach();
    Dalua c = attach();

    a.apps().create(g);
    assertThrows(GroupException.class, () -> b.apps().create(g));
    c.apps().join(g);
    a.apps().join(g);
    b.apps().join(g);
    a.apps().join(g); // twice: harmless

    assertEquals(List.of(c.self(), a.self(), b.self()), b.apps().processes(g));
    assertTrue(c.apps().applications().contains(g));
    c.apps().leave(g);
    assertEquals(List.of(a.self(), b.self()), a.apps().processes(g));
    a.apps().destroy(g);
    assertTrue(!b.apps().applications().contains(g));
    var e = assertThrows(GroupException.class, () -> b.apps().join(g));
    assertTrue(e.getMessage().contains("no app '" + g + "'"), e.getMessage());
    assertThrows(GroupException.class, () -> b.apps().processes(g));
    assertThrows(GroupException.class, () -> b.apps().destroy(g));
  }

  @Test
  void joinAndLeave_areRaisedOnEveryMember_itselfIncluded_andOnAClosedOnesLeave(TestInfo test) {
    String g = app(test);
    Dalua a = attach();
    Dalua b = attach();
    Dalua c = attach();
    List<String> seenA = watch(a);
    List<String> seenB = watch(b);
    List<String> seenC = watch(c);
    a.apps().create(g);

    a.apps().join(g);
    b.apps().join(g);
    c.apps().join(g);
    b.apps().leave(g);

    await().atMost(Duration.ofSeconds(10)).until(() -> seenA.size() == 4);
    assertEquals(List.of("join " + a.self(), "join " + b.self(), "join " + c.self(),
        "leave " + b.self()), seenA);
    await().atMost(Duration.ofSeconds(10)).until(() -> seenB.size() == 3);
    assertEquals(List.of("join " + b.self(), "join " + c.self(), "leave " + b.self()), seenB);
    await().atMost(Duration.ofSeconds(10)).until(() -> seenC.size() == 2);

    c.process().close(); // a member's process ends: the others see it leave

    await().atMost(Duration.ofSeconds(2)).until(() -> seenA.size() == 5);
    assertEquals("leave " + c.self(), seenA.get(4));
    assertEquals(List.of(a.self()), a.apps().processes(g));
    assertEquals(List.of("join " + c.self(), "leave " + b.self()), seenC, "c saw b leave");
  }

  @Test
  void events_areRaisedLocallyAndRemotely_aThrowingHandlerIsReported_theOthersRun() {
    Dalua a = attach();
    Dalua b = attach();
    List<String> got = new CopyOnWriteArrayList<>();
    AtomicInteger ignored = new AtomicInteger();
    EventHandler counting = (e, args) -> ignored.incrementAndGet();
    a.events().monitor("my_event", (e, args) -> {
      throw new IllegalStateException("first handler fails");
    });
    a.events().monitor("my_event", (e, args) -> got.add("a " + args.intAt(0) + args.stringAt(1)));
    b.events().monitor("my_event", (e, args) -> got.add("b " + args.intAt(0) + args.stringAt(1)));
    b.events().monitor("my_event", counting);
    b.events().ignore("my_event", counting);

    a.events().raise("my_event", List.of(a.self(), b.self()), 1, "x");

    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
    assertEquals(List.of("a 1x", "b 1x"), got.stream().sorted().toList());
    await().atMost(Duration.ofSeconds(10)).until(() -> takeUncaught().stream()
        .anyMatch(t -> "first handler fails".equals(t.getMessage())));
    assertEquals(0, ignored.get());
  }

  @Test
  void theSeedsAppExample(TestInfo test) {
    String g = "Grupo-" + System.nanoTime();
    RpcProcess p1 = open();
    RpcProcess p2 = open();
    Dalua d1 = Dalua.attach(p1, Directory.local());
    Dalua d2 = Dalua.attach(p2, Directory.local());
    List<String> greeted = new CopyOnWriteArrayList<>();
    d2.events().monitor("greet", (e, args) -> greeted.add(args.stringAt(0)));

    d1.apps().create(g);      // process 1 creates "Grupo"
    d2.apps().join(g);        // process 2 joins
    d1.events().raise("greet", d1.apps().processes(g), "hello from " + d1.self());

    await().atMost(Duration.ofSeconds(10)).until(() -> greeted.size() == 1);
    assertEquals("hello from " + p1.id(), greeted.get(0));
  }
}
