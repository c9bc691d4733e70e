package dev.moonwire.csp.internal.remote;

import java.time.Duration;

/**
 * The functions a remote channel's owner and its readers exchange, in one place. An owner of
 * channel {@code name} exports {@code csp.channel.NAME.OPERATION}; every process that holds a
 * remote channel exports {@link #READS_STATUS}, which the owner asks about a value it handed
 * out and whose receipt it never heard of.
 *
 * <ul>
 *   <li>{@code take(long op)} → {@code Object[] {status, value}}: waits for a value. The
 *       value stays on loan at the owner until {@code taken(op)} arrives (one-way) or the
 *       reader answers a {@link #READS_STATUS} probe.
 *   <li>{@code put(long op, Object value)} → status: waits until the channel accepted the
 *       value (a rendezvous: a reader took it).
 *   <li>{@code withdraw(long op)} (one-way): the caller's {@code take}/{@code put} was
 *       cancelled; the owner ends it with {@link #WITHDRAWN} unless it had already happened.
 *   <li>{@code poll()} → {@code Object[] {status, value}}, {@code offer(Object)} → status,
 *       {@code close()}: never wait at the owner.
 * </ul>
 * Operation ids are chosen by the caller and are unique per calling process; the owner keys
 * them by the authenticated sender ({@code Rpc.sender()}), so no peer can touch another's.
 */
final class Protocol {
  static final String PREFIX = "csp.channel.";
  static final String READS_STATUS = "csp.reads.status";

  static final int OK = 0;
  static final int EMPTY = 1; // poll found nothing; offer found no room
  static final int CLOSED = 2;
  static final int WITHDRAWN = 3;

  /** What a reader answers about an operation id. */
  static final int RECEIVED = 0;
  static final int PENDING = 1;
  static final int UNKNOWN = 2;

  /** Remote reads and writes wait as long as local ones: no default call deadline. */
  static final Duration FOREVER = Duration.ofDays(365L * 100);

  private Protocol() {}

  static String function(String channel, String operation) {
    return PREFIX + channel + "." + operation;
  }
}
