/**
 * Moonwire's public API: processes that export functions and call each other by name,
 * asynchronously with callbacks, synchronously on virtual threads, or with futures.
 *
 * <p>Parameters are non-null unless documented otherwise; a null where none is allowed fails
 * with a {@link java.lang.NullPointerException} naming the parameter.
 */
package dev.moonwire.rpc;
