/** A JUnit 5 extension for tests of Moonwire services. */
module dev.moonwire.rpc.testing {
  requires transitive dev.moonwire.rpc.api;
  requires transitive org.junit.jupiter.api;

  exports dev.moonwire.rpc.testing;
}
