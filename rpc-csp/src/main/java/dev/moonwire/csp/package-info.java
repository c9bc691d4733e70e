/**
 * CSP after Csp.lua (seed 002) on Moonwire's execution model: {@link dev.moonwire.csp.Channel}
 * (depth 0 is a rendezvous), {@link dev.moonwire.csp.Csp}'s constructors (Par, Fork, ParArray,
 * Seq), {@link dev.moonwire.csp.Alt} with guards, and {@link dev.moonwire.csp.Semaphore}.
 *
 * <p>Every wait here is a suspension point: inside an event of a process it suspends the event
 * and the process serves its other events meanwhile; on any other thread it blocks that thread.
 * Every wait is cancellable — a cancelled request, a branch cancelled by {@code parGreedy}, an
 * interrupted thread — and then throws {@link dev.moonwire.rpc.CancelledException}, having
 * changed nothing. No method takes or returns {@code null}.
 */
package dev.moonwire.csp;
