package dev.moonwire.rpc;

/**
 * An exported function: what runs when another process calls it by name.
 *
 * <p>Runs on the exporting process, one event at a time: a handler reads and writes the
 * process's state without locks. With the synchronous layer ({@code rpc-sync}) it runs on a
 * virtual thread and may make synchronous calls; the process serves other events while it is
 * suspended in them.
 *
 * <p>What the handler returns is the reply. What it throws reaches the caller as a
 * {@link RemoteInvocationException} carrying its class, message and stack, except a
 * {@link BadArgumentsException} (as thrown by {@link Args}), which the caller receives as is.
 */
@FunctionalInterface
public interface Handler {
  /** Handles one call; returns the reply value (null for none). */
  Object handle(Args args) throws Exception;
}
