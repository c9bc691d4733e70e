/** The synchronous layer's implementation. Internal: not part of the API. */
package dev.moonwire.rpc.sync.internal;
