package dev.moonwire.rpc.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** What a user may see in an exception Moonwire throws: Moonwire's public types and the JDK's. */
public final class Causes {
  private Causes() {}

  /** Fails if {@code t} or any of its causes is an internal or a third-party type. */
  public static void assertPublicTypesOnly(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String name = c.getClass().getName();
      boolean ok = name.startsWith("java.")
          || (name.startsWith("dev.moonwire.rpc.") && !name.contains(".internal."));
      if (!ok) {
        fail("a user would see " + name + " in " + t, t);
      }
      if (c.getCause() == c) {
        return;
      }
    }
  }
}
