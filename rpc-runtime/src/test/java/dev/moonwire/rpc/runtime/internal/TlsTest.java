package dev.moonwire.rpc.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.PeerUnavailableException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS between real processes, with certificates made by the JDK's keytool for the test. */
class TlsTest extends ProcessTestSupport {
  private static final char[] PASSWORD = "changeit".toCharArray();
  @TempDir
  static Path dir;
  private static KeyStore alice;
  private static KeyStore mallory;

  @BeforeAll
  static void makeIdentities() throws Exception {
    alice = identity("alice");
    mallory = identity("mallory");
  }

  /** A self-signed EC certificate for 127.0.0.1, in a PKCS12 store. */
  private static KeyStore identity(String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString(), "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "san=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    return ks;
  }

  private static RpcConfig tls(KeyStore keys, KeyStore trusted, boolean mutual) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    return RpcConfig.defaults().withTls(kmf, tmf, mutual);
  }

  private static Object outcome(RpcProcess client, ProcessId target) throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    client.async(target, "hello", f::complete, f::complete).call("tls");
    return get(f);
  }

  @Test
  void mutualTls_bothTrusted_callsWork() throws Exception {
    RpcProcess server = open(tls(alice, alice, true));
    server.export("hello", a -> "hello " + a.stringAt(0));
    RpcProcess client = open(tls(alice, alice, true));

    assertEquals("hello tls", outcome(client, server.id()));
  }

  @Test
  void serverCertificateNotTrusted_callFailsSayingTls() throws Exception {
    RpcProcess server = open(tls(mallory, mallory, false));
    server.export("hello", a -> "hello");
    RpcProcess client = open(tls(alice, alice, false));

    var e = assertInstanceOf(PeerUnavailableException.class, outcome(client, server.id()));
    assertTrue(e.getMessage().contains("TLS"), e.getMessage());
  }

  @Test
  void mutualRequired_clientCertificateNotTrusted_refused_othersStillServed() throws Exception {
    RpcProcess server = open(tls(alice, alice, true));
    server.export("hello", a -> "hello " + a.stringAt(0));
    // mallory trusts alice, but alice does not trust mallory
    RpcProcess intruder = open(tls(mallory, alice, true));
    RpcProcess friend = open(tls(alice, alice, true));

    assertInstanceOf(PeerUnavailableException.class, outcome(intruder, server.id()));
    assertEquals("hello tls", outcome(friend, server.id()));
  }

  @Test
  void plainClientToTlsServer_isRefused() throws Exception {
    RpcProcess server = open(tls(alice, alice, false));
    server.export("hello", a -> "hello");
    RpcProcess plain = open();

    assertInstanceOf(PeerUnavailableException.class, outcome(plain, server.id()));
    // the server dropped only that connection
    RpcProcess friend = open(tls(alice, alice, false));
    assertEquals("hello", outcome(friend, server.id()));
  }
}
