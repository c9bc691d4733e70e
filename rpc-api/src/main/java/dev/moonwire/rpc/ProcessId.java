package dev.moonwire.rpc;

import java.util.Objects;

/**
 * The address of a process: a host and the port it listens on. A value: equal when host and
 * port are equal (the host is compared as written, so {@code localhost} and {@code 127.0.0.1}
 * name the same process but are not equal ids). Built in for the wire.
 *
 * @param host the host name or address
 * @param port the port the process listens on
 */
public record ProcessId(String host, int port) {
  /**
   * @throws IllegalArgumentException if the host is blank or the port is not in 1..65535
   */
  public ProcessId {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host : '" + host + "' (expected: a host name or address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port : " + port + " (expected: 1..65535)");
    }
  }

  /**
   * Names the process listening at {@code host:port}.
   *
   * @throws IllegalArgumentException if the host is blank or the port is not in 1..65535
   */
  public static ProcessId of(String host, int port) {
    return new ProcessId(host, port);
  }

  /**
   * Parses {@code host:port}, the form {@link #toString()} prints.
   *
   * @throws IllegalArgumentException if the text is not of that form
   */
  public static ProcessId parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("process id : '" + text + "' (expected: host:port)");
    }
    try {
      return of(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("process id : '" + text + "' (expected: host:port)", e);
    }
  }

  /** {@code host:port}. */
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
