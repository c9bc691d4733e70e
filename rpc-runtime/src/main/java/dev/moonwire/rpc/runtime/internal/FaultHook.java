package dev.moonwire.rpc.runtime.internal;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.runtime.internal.wire.Message;

/**
 * Faults a test injects into one process ({@link RuntimeProcess#injectFaults}), as JGroups
 * tests insert a DISCARD or DELAY protocol into one member's stack: each request, one-way
 * send, reply and error the process receives from another process is shown to the hook first,
 * on that connection's I/O thread, and held back or lost as it says. CANCELs and what a
 * process sends itself are never shown. Not for normal use.
 */
@FunctionalInterface
public interface FaultHook {
  /** Handle the message now. */
  long NOW = 0;
  /** Lose the message — for a one-way send only; any other message is handled now. */
  long LOSE = -1;

  /**
   * What to do with {@code message} from {@code peer}: {@link #NOW}, {@link #LOSE}, or the
   * milliseconds to hold it before it is handled (later messages may then overtake it).
   */
  long onReceive(ProcessId peer, Message message);
}
