package dev.moonwire.samples.bank;

/**
 * An account. A record evolves the way protobuf messages do: a component added in a new
 * version is read as its default by the old one, and the other way round.
 */
public record Account(String id, String owner, long balance) {}
