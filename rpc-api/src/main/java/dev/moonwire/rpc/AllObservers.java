package dev.moonwire.rpc;

import java.util.Objects;
import java.util.function.Consumer;

/** {@link RpcObserver#all}: tells each observer in turn, and each call's end in reverse. */
final class AllObservers implements RpcObserver {
  private final RpcObserver[] observers;

  AllObservers(RpcObserver[] observers) {
    for (RpcObserver o : observers) {
      Objects.requireNonNull(o, "observer");
    }
    this.observers = observers;
  }

  private static final System.Logger LOG = System.getLogger("dev.moonwire.rpc.Process");

  private static void threw(Object o, Throwable e) {
    LOG.log(System.Logger.Level.WARNING, "observer " + o.getClass().getName()
        + " threw; ignored", e);
  }

  /** Tells every observer; one that throws is logged, and the others are still told. */
  private void each(Consumer<RpcObserver> told) {
    for (RpcObserver o : observers) {
      try {
        told.accept(o);
      } catch (Throwable e) { // an Error too: the others' scopes must still close
        threw(o, e);
      }
    }
  }

  @Override
  public void opened(RpcProcess process) {
    each(o -> o.opened(process));
  }

  @Override
  public Call clientCall(ProcessId peer, String function, CallHeaders headers) {
    Call[] calls = new Call[observers.length];
    int[] i = {0};
    each(o -> calls[i[0]++] = o.clientCall(peer, function, headers));
    return Calls.of(calls);
  }

  @Override
  public Call serverCall(ProcessId peer, String function, CallHeaders headers) {
    Call[] calls = new Call[observers.length];
    int[] i = {0};
    each(o -> calls[i[0]++] = o.serverCall(peer, function, headers));
    return Calls.of(calls);
  }

  @Override
  public void connectionOpened(ProcessId peer) {
    each(o -> o.connectionOpened(peer));
  }

  @Override
  public void connectionClosed(ProcessId peer) {
    each(o -> o.connectionClosed(peer));
  }

  /** The calls of each observer that watches one; ended last first. */
  private static final class Calls implements Call {
    private final Call[] calls;

    private Calls(Call[] calls) {
      this.calls = calls;
    }

    /** These calls, or null if no observer watches this one. */
    static Call of(Call[] calls) {
      for (Call c : calls) {
        if (c != null) {
          return new Calls(calls);
        }
      }
      return null;
    }

    @Override
    public void ended(RpcException.Kind outcome, long nanos, long bytesOut, long bytesIn) {
      for (int i = calls.length - 1; i >= 0; i--) {
        if (calls[i] != null) {
          try {
            calls[i].ended(outcome, nanos, bytesOut, bytesIn);
          } catch (Throwable e) {
            threw(calls[i], e);
          }
        }
      }
    }
  }
}
