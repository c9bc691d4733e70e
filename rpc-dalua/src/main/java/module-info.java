/** DALua (seed 000) on Moonwire: groups of processes, events, timers. */
module dev.moonwire.dalua {
  requires transitive dev.moonwire.rpc.api;
  requires org.slf4j;

  uses dev.moonwire.rpc.spi.RpcProvider;

  exports dev.moonwire.dalua;
}
