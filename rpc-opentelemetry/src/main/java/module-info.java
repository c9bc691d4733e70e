/** Traces of Moonwire's calls with OpenTelemetry. */
module dev.moonwire.rpc.opentelemetry {
  requires transitive dev.moonwire.rpc.api;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports dev.moonwire.rpc.opentelemetry;
}
