/** Moonwire's runtime: transport, framing, codec, dispatch. Exports no API of its own. */
module dev.moonwire.rpc.runtime {
  requires transitive dev.moonwire.rpc.api;
  requires io.netty.common;
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.handler;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.unix.common;
  requires com.esotericsoftware.kryo;
  requires org.slf4j;

  exports dev.moonwire.rpc.runtime.internal to dev.moonwire.rpc.sync;
  exports dev.moonwire.rpc.runtime.internal.call to dev.moonwire.rpc.sync;
  exports dev.moonwire.rpc.runtime.internal.transport to dev.moonwire.rpc.sync;
  exports dev.moonwire.rpc.runtime.internal.wire to dev.moonwire.rpc.sync;
  exports dev.moonwire.rpc.runtime.internal.dispatch to dev.moonwire.rpc.sync;

  provides dev.moonwire.rpc.spi.RpcProvider
      with dev.moonwire.rpc.runtime.internal.RuntimeProvider;
}
