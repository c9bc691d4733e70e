/** The implementation of {@code dev.moonwire.csp}; not exported, not for application code. */
package dev.moonwire.csp.internal;
