/**
 * Tuple spaces behind {@code dev.moonwire.dalua.TupleSpace}: the local one under a lock, and the
 * replicated one whose operations go through a group's total order. Internal: not exported.
 */
package dev.moonwire.dalua.internal.space;
