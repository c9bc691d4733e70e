/** DALua (seed 000) on Moonwire: groups of processes, events, timers. */
module dev.moonwire.dalua {
  requires transitive dev.moonwire.rpc.api;
  requires org.slf4j;

  uses dev.moonwire.rpc.spi.RpcProvider;

  exports dev.moonwire.dalua;
  // the mutex protocol's interface and records, exported and sent by the runtime's typed proxies
  exports dev.moonwire.dalua.internal.mutex to dev.moonwire.rpc.runtime;
  // the topics' protocol records, read and written by the runtime's codec
  exports dev.moonwire.dalua.internal.topic to dev.moonwire.rpc.runtime;
  // the replicated tuple space's operations and state chunks, exported as SpacePeer
  exports dev.moonwire.dalua.internal.space to dev.moonwire.rpc.runtime;
}
