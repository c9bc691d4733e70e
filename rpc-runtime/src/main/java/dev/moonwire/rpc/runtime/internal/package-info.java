/**
 * Moonwire's runtime. Internal: not part of the API, and may change in any release. Only the
 * synchronous layer ({@code rpc-sync}) builds on it.
 */
package dev.moonwire.rpc.runtime.internal;
