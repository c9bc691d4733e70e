/** Moonwire's public API. Holds no Netty or Kryo type. */
module dev.moonwire.rpc.api {
  exports dev.moonwire.rpc;
  exports dev.moonwire.rpc.spi;

  uses dev.moonwire.rpc.spi.RpcProvider;
}
