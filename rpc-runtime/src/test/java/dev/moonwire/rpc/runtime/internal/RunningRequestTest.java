package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.dispatch.RunningRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A late CANCEL never interrupts the next event that reuses the thread (FutureTask's rule). */
class RunningRequestTest {

  @Test
  void cancelRacingTheEnd_neverInterruptsTheNextEventOnThatThread() throws Exception {
    long until = System.nanoTime() + 20_000_000_000L;
    AtomicReference<RunningRequest> current = new AtomicReference<>();
    AtomicInteger done = new AtomicInteger();
    Thread canceller = new Thread(() -> {
      while (done.get() == 0) {
        RunningRequest r = current.get();
        if (r != null) {
          r.cancel();
        }
      }
    });
    canceller.start();
    int leaked = 0;
    int cancelledWhileRunning = 0;
    try {
      // until enough cancels have landed while a request ran (bounded in time)
      while (cancelledWhileRunning < 2_000 && System.nanoTime() < until) {
        RunningRequest r = new RunningRequest();
        r.started(Thread.currentThread());
        current.set(r);
        Thread.onSpinWait(); // the handler runs: the window in which a cancel may land
        r.finished();
        if (r.cancelled()) {
          cancelledWhileRunning++;
        }
        // the next event on this thread: it must not see the old request's interrupt
        if (Thread.currentThread().isInterrupted()) {
          leaked++;
          Thread.interrupted();
        }
      }
    } finally {
      done.set(1);
      canceller.join();
    }
    assertTrue(cancelledWhileRunning > 0, "the race was exercised");
    assertEquals(0, leaked, "interrupts that reached the next event");
  }

  @Test
  void cancelBeforeStart_interruptsTheHandlerAsItStarts() {
    RunningRequest r = new RunningRequest();
    r.cancel();
    r.started(Thread.currentThread());
    assertTrue(Thread.currentThread().isInterrupted());
    r.finished();
    assertTrue(!Thread.currentThread().isInterrupted(), "cleared when it ends");
  }
}
