/** Moonwire's public API. Holds no Netty or Kryo type. */
module dev.moonwire.rpc.api {
  exports dev.moonwire.rpc;
  exports dev.moonwire.rpc.spi;
  // How messages name types and durations: shared by the modules, not part of the API.
  exports dev.moonwire.rpc.internal to dev.moonwire.rpc.runtime, dev.moonwire.rpc.sync,
      dev.moonwire.dalua;

  uses dev.moonwire.rpc.spi.RpcProvider;
}
