package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.runtime.internal.transport.EventClock;
import dev.moonwire.rpc.runtime.internal.transport.EventScheduler;
import dev.moonwire.rpc.runtime.internal.transport.Loggers;

import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bare runtime's event loop: one platform thread that takes events from a queue. */
final class SerialScheduler implements EventScheduler {
  private static final Logger log = LoggerFactory.getLogger(Loggers.PROCESS);
  /** Queued by shutdown() and compared by identity, never run: a constant, not a lambda. */
  private static final Runnable STOP = new Runnable() {
    @Override
    public void run() {}

    @Override
    public String toString() {
      return "STOP";
    }
  };

  private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private volatile boolean stopped;
  private final EventClock clock = new EventClock();

  SerialScheduler(RuntimeProcess process) {
    Thread t = new Thread(() -> loop(process), "moonwire-process-" + process.id().port());
    t.setDaemon(true);
    t.start();
  }

  private void loop(RuntimeProcess process) {
    Processes.bind(process);
    while (true) {
      Runnable event;
      try {
        event = queue.take();
      } catch (InterruptedException e) {
        continue; // only shutdown() ends the loop
      }
      if (event == STOP) {
        return;
      }
      clock.begin();
      try {
        event.run();
      } catch (Throwable t) {
        log.error("event of {} threw; the process goes on", process.id(), t);
      } finally {
        clock.end();
      }
    }
  }

  @Override
  public int queued() {
    return queue.size();
  }

  @Override
  public boolean trySubmit(Runnable event) {
    if (stopped) {
      return false;
    }
    queue.add(event);
    if (stopped && queue.remove(event)) {
      return false; // shut down meanwhile: it might be behind STOP, never to run
    }
    return true;
  }

  @Override
  public EventClock clock() {
    return clock;
  }

  @Override
  public void shutdown() {
    stopped = true;
    queue.add(STOP);
  }
}
