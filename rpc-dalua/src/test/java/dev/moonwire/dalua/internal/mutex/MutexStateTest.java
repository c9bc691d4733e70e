package dev.moonwire.dalua.internal.mutex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.FencedException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * One member's mutex state machine alone, on a real process's events, with what it sends and
 * schedules recorded by hand: confinement to the events, phases, and fencing by epochs.
 */
class MutexStateTest extends ProcessTestSupport {
  private static final ProcessId B = ProcessId.of("127.0.0.2", 7001);
  private static final ProcessId C = ProcessId.of("127.0.0.3", 7002);

  private RpcProcess process;
  private Recording context;
  private MutexState state;

  /** A context that records what the state machine sends and schedules; pings do nothing. */
  final class Recording implements MutexContext {
    final List<Object> sent = new ArrayList<>();
    final List<Long> pingsScheduled = new ArrayList<>();
    long epoch = 1;

    @Override
    public RpcProcess process() {
      return process;
    }

    @Override
    public ProcessId self() {
      return process.id();
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public FencedException fenced(String what) {
      return new FencedException(what + " fenced");
    }

    @Override
    public void sendRequest(Collection<ProcessId> to, MutexPeer.Request request) {
      sent.add(request);
    }

    @Override
    public void resendRequest(ProcessId to, MutexPeer.Request request) {
      sent.add(request);
    }

    @Override
    public void sendOk(ProcessId to, MutexPeer.Ok ok) {
      sent.add(ok);
    }

    @Override
    public void ping(ProcessId p, Set<ProcessId> outstanding, Runnable alive, Runnable gone) {}

    @Override
    public void schedulePing(MutexState s, long ts) {
      pingsScheduled.add(ts);
    }

    @Override
    public void memberGone(ProcessId member, String algorithm, String done) {}
  }

  @BeforeEach
  void make() {
    process = open();
    context = new Recording();
    state = on(() -> new MutexState(context, "m", List.of(process.id(), B, C)));
  }

  /** Runs {@code task} on an event of the process; what it throws is thrown here. */
  private <T> T on(Callable<T> task) {
    try {
      return process.submit(task).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private void onEvent(Runnable task) {
    on(() -> {
      task.run();
      return null;
    });
  }

  @Test
  void everyStateChange_offTheProcessesEvents_throwsIllegalState_andChangesNothing() {
    List<Executable> changes = List.of(
        () -> state.request(() -> { }),
        state::leave,
        () -> state.add(ProcessId.of("127.0.0.4", 7003)),
        () -> state.remove(B),
        () -> state.onRequest(new MutexPeer.Request("m", 1, B, 1)),
        () -> state.onOk(new MutexPeer.Ok("m", B, 1, 1, 1)),
        () -> state.pingTick(1),
        () -> state.fence(r -> { }),
        state::fencingToken,
        state::phase);
    for (Executable change : changes) {
      IllegalStateException e = assertThrows(IllegalStateException.class, change);
      assertTrue(e.getMessage().contains("not on an event of its process"), e.getMessage());
    }
    assertEquals(MutexState.Phase.RELEASED, on(state::phase));
    assertEquals(Set.of(B, C), on(state::others));
    assertTrue(context.sent.isEmpty(), context.sent.toString());
  }

  @Test
  void request_movesThroughWantedToHeld_onTheOthersOks_thenReleasedOnLeave() {
    List<String> granted = new ArrayList<>();
    onEvent(() -> state.request(() -> granted.add("in")));
    assertEquals(MutexState.Phase.WANTED, on(state::phase));
    MutexPeer.Request asked = (MutexPeer.Request) context.sent.get(0);
    assertEquals(1, asked.epoch());
    assertEquals(List.of(asked.timestamp()), context.pingsScheduled);

    onEvent(() -> state.onOk(new MutexPeer.Ok("m", B, asked.timestamp(), 5, 1)));
    assertEquals(MutexState.Phase.WANTED, on(state::phase));
    onEvent(() -> state.onOk(new MutexPeer.Ok("m", C, asked.timestamp(), 9, 1)));

    assertEquals(MutexState.Phase.HELD, on(state::phase));
    assertEquals(List.of("in"), granted);
    assertEquals(10L, on(state::fencingToken), "past the largest clock an OK carried");
    onEvent(state::leave);
    assertEquals(MutexState.Phase.RELEASED, on(state::phase));
    assertThrows(IllegalStateException.class, () -> onEvent(state::leave));
  }

  @Test
  void aMemberRemovedAtAnEpoch_isRefusedAtThatEpoch_andTakenAgainAtALaterOne() {
    onEvent(() -> state.onRequest(new MutexPeer.Request("m", 1, B, 4))); // B at epoch 4: OK
    assertEquals(1, context.sent.size());
    onEvent(() -> state.remove(B)); // the directory dropped B

    onEvent(() -> state.add(B)); // re-added by a stale view: B's epoch-4 messages still refused
    IllegalArgumentException stale = assertThrows(IllegalArgumentException.class,
        () -> onEvent(() -> state.onRequest(new MutexPeer.Request("m", 2, B, 4))));
    assertTrue(stale.getMessage().contains("stale"), stale.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> onEvent(() -> state.onOk(new MutexPeer.Ok("m", B, 2, 2, 4))));
    assertEquals(1, context.sent.size(), "nothing answered to the stale member");

    onEvent(() -> state.onRequest(new MutexPeer.Request("m", 3, B, 5))); // B joined anew
    assertEquals(2, context.sent.size());
    assertThrows(IllegalArgumentException.class, // and its older epoch stays behind it
        () -> onEvent(() -> state.onRequest(new MutexPeer.Request("m", 4, B, 4))));
  }

  @Test
  void fence_whileWanted_failsTheWaiter_andTheMutexNeitherEntersNorAnswers() {
    List<Runnable> failed = new ArrayList<>();
    List<String> granted = new ArrayList<>();
    onEvent(() -> state.request(() -> granted.add("in")));
    long ts = ((MutexPeer.Request) context.sent.get(0)).timestamp();
    int sent = context.sent.size();

    onEvent(() -> state.fence(failed::add));

    assertEquals(1, failed.size());
    assertEquals(MutexState.Phase.FENCED, on(state::phase));
    onEvent(() -> state.onOk(new MutexPeer.Ok("m", B, ts, 1, 1)));
    onEvent(() -> state.onOk(new MutexPeer.Ok("m", C, ts, 1, 1)));
    onEvent(() -> state.onRequest(new MutexPeer.Request("m", 1, B, 1)));
    assertTrue(granted.isEmpty(), "a fenced member entered");
    assertEquals(sent, context.sent.size(), "a fenced member answered");
    assertThrows(FencedException.class, () -> onEvent(() -> state.request(() -> { })));
  }

  @Test
  void fence_whileHeld_endsTheSectionQuietly_andTheTokenIsGone() {
    onEvent(() -> state.request(() -> { }));
    long ts = ((MutexPeer.Request) context.sent.get(0)).timestamp();
    onEvent(() -> state.onOk(new MutexPeer.Ok("m", B, ts, 1, 1)));
    onEvent(() -> state.onOk(new MutexPeer.Ok("m", C, ts, 1, 1)));
    onEvent(() -> state.onRequest(new MutexPeer.Request("m", 7, B, 1))); // deferred
    int sent = context.sent.size();

    onEvent(() -> state.fence(r -> { }));

    assertThrows(IllegalStateException.class, () -> on(state::fencingToken));
    onEvent(state::leave); // the holder's finally: quiet
    assertEquals(sent, context.sent.size(), "the deferred OK went out from a fenced member");
  }
}
