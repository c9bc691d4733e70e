/** Moonwire's synchronous layer: Rpc.sync, interface proxies and futures on virtual threads. */
module dev.moonwire.rpc.sync {
  requires transitive dev.moonwire.rpc.api;
  requires dev.moonwire.rpc.runtime;
  requires org.slf4j;

  exports dev.moonwire.rpc.sync;

  provides dev.moonwire.rpc.spi.RpcProvider with dev.moonwire.rpc.sync.internal.SyncProvider;
}
