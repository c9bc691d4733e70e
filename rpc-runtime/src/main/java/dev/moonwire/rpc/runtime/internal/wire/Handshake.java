package dev.moonwire.rpc.runtime.internal.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared-secret part of the handshake. The client's HELLO carries a fresh nonce; the
 * server's HELLO carries its own nonce and a proof {@code HMAC(secret, "server", nc, ns)}; the
 * client answers with AUTH {@code HMAC(secret, "client", ns, nc)}. Each side checks the other's
 * proof before trusting anything it sends; the secret itself never crosses the wire.
 */
public final class Handshake {
  private Handshake() {}

  public static final int NONCE_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  public static byte[] nonce() {
    byte[] n = new byte[NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  public static byte[] serverProof(byte[] secret, byte[] clientNonce, byte[] serverNonce) {
    return hmac(secret, "moonwire-server", clientNonce, serverNonce);
  }

  public static byte[] clientProof(byte[] secret, byte[] clientNonce, byte[] serverNonce) {
    return hmac(secret, "moonwire-client", serverNonce, clientNonce);
  }

  /** Compares in constant time. */
  public static boolean matches(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] hmac(byte[] secret, String role, byte[] first, byte[] second) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(role.getBytes(StandardCharsets.US_ASCII));
      mac.update(first);
      mac.update(second);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }
}
