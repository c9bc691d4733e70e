package dev.moonwire.samples.chaos;

import dev.moonwire.rpc.RpcProcess;

/**
 * The shared resource the mutex guards, as a store fenced by tokens would guard itself: it
 * remembers the largest token it accepted and refuses a write with a smaller one, or with the
 * same one from another holder (one token, two holders: it cannot tell which is stale). Each
 * write is logged, accepted or not, for {@link ChaosCheck}. Writes run as events of its
 * process, one at a time.
 */
final class Resource {
  private final EventLog log;
  private long largest = -1;
  private String holder = "";
  private volatile long accepted; // written by its process's events only, read at the end
  private volatile long refused;

  private Resource(EventLog log) {
    this.log = log;
  }

  /** Exports {@code resource.write(holder, token, op, enteredAtMillis)} on {@code process}. */
  static Resource exportOn(RpcProcess process, EventLog log) {
    Resource r = new Resource(log);
    process.export(ChaosMember.WRITE,
        a -> r.write(a.stringAt(0), a.longAt(1), a.stringAt(2), a.longAt(3)));
    return r;
  }

  // one writer: the process's events, one at a time; volatile only for the report at the end
  @SuppressWarnings("NonAtomicVolatileUpdate")
  private boolean write(String by, long token, String op, long entered) {
    boolean ok = token > largest || (token == largest && by.equals(holder));
    if (ok) {
      largest = token;
      holder = by;
      accepted++;
    } else {
      refused++;
    }
    log.line("write " + by + " " + token + " " + op + " " + entered + " "
        + (ok ? "accepted" : "refused"));
    return ok;
  }

  long accepted() {
    return accepted;
  }

  long refused() {
    return refused;
  }
}
