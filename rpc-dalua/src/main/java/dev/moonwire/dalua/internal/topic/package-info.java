/**
 * Publish/subscribe topics ({@code dev.moonwire.dalua.Topic}): names and groups in the
 * directory, the subscribe handshake, FIFO streams with their windows, and deliveries at the
 * subscriber. Internal: not exported to users.
 */
package dev.moonwire.dalua.internal.topic;
