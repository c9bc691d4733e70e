package dev.moonwire.rpc.runtime.internal.transport;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;

/** A process's TLS contexts, both roles, made once from {@link RpcConfig#tls()}. */
public final class TlsContexts {
  private final SslContext server;
  private final SslContext client;

  private TlsContexts(SslContext server, SslContext client) {
    this.server = server;
    this.client = client;
  }

  /** Null when the config asks for plain TCP. */
  public static TlsContexts of(RpcConfig config) {
    RpcConfig.Tls tls = config.tls();
    if (tls == null) {
      return null;
    }
    try {
      SslContext server = SslContextBuilder.forServer(tls.keys())
          .trustManager(tls.trust())
          .clientAuth(tls.mutual() ? ClientAuth.REQUIRE : ClientAuth.NONE)
          .build();
      SslContext client = SslContextBuilder.forClient()
          .keyManager(tls.keys())
          .trustManager(tls.trust())
          .endpointIdentificationAlgorithm("HTTPS")
          .build();
      return new TlsContexts(server, client);
    } catch (SSLException e) {
      throw new IllegalArgumentException("TLS settings rejected: " + e.getMessage(), e);
    }
  }

  public SslHandler forAccepted(Channel ch) {
    return server.newHandler(ch.alloc());
  }

  public SslHandler forDialled(Channel ch, ProcessId peer) {
    return client.newHandler(ch.alloc(), peer.host(), peer.port());
  }
}
