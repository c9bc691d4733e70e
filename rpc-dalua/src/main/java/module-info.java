/** DALua (seed 000) on Moonwire: groups of processes, events, timers. */
module dev.moonwire.dalua {
  requires transitive dev.moonwire.rpc.api;
  requires org.slf4j;

  uses dev.moonwire.rpc.spi.RpcProvider;

  exports dev.moonwire.dalua;
  // The protocols' interfaces and records: the runtime exports them and sends them with its
  // typed proxies (exports), and encodes their records reflectively — accessors and canonical
  // constructors, made accessible with trySetAccessible (opens). To the runtime only: users
  // see dev.moonwire.dalua alone (DaluaModuleTest).
  exports dev.moonwire.dalua.internal.mutex to dev.moonwire.rpc.runtime;
  exports dev.moonwire.dalua.internal.total to dev.moonwire.rpc.runtime;
  exports dev.moonwire.dalua.internal.causal to dev.moonwire.rpc.runtime;
  opens dev.moonwire.dalua.internal.mutex to dev.moonwire.rpc.runtime;
  opens dev.moonwire.dalua.internal.total to dev.moonwire.rpc.runtime;
  opens dev.moonwire.dalua.internal.causal to dev.moonwire.rpc.runtime;
  exports dev.moonwire.dalua.internal.topic to dev.moonwire.rpc.runtime;
  exports dev.moonwire.dalua.internal.space to dev.moonwire.rpc.runtime;
  opens dev.moonwire.dalua.internal.topic to dev.moonwire.rpc.runtime;
  opens dev.moonwire.dalua.internal.space to dev.moonwire.rpc.runtime;
}
