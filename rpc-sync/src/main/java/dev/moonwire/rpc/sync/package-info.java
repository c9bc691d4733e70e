/**
 * Coordination on top of the synchronous layer: {@link dev.moonwire.rpc.sync.Monitor}.
 * Used from the events of one process; parameters are non-null.
 */
package dev.moonwire.rpc.sync;
