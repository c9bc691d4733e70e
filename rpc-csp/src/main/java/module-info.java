/** Csp.lua on Moonwire: channels, Par/Fork/ParArray/Seq, Alt with guards, Semaphore. */
module dev.moonwire.csp {
  requires transitive dev.moonwire.rpc.api;

  exports dev.moonwire.csp;

  uses dev.moonwire.rpc.spi.RpcProvider;
}
