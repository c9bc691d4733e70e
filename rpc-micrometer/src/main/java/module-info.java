/** Moonwire's calls and connections as Micrometer meters. */
module dev.moonwire.rpc.micrometer {
  requires transitive dev.moonwire.rpc.api;
  requires transitive micrometer.core;

  exports dev.moonwire.rpc.micrometer;
}
