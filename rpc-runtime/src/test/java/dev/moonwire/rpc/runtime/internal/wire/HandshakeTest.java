package dev.moonwire.rpc.runtime.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The shared-secret proofs: what each side computes is what a peer of another build computes
 * (HMAC-SHA256 over the role and both nonces), and a proof made with another secret, for the
 * other role or for other nonces never matches.
 */
class HandshakeTest {
  private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);
  private final byte[] client = Handshake.nonce();
  private final byte[] server = Handshake.nonce();

  /** HMAC-SHA256(secret, role || first || second), computed in one piece. */
  private static byte[] expected(byte[] secret, String role, byte[] first, byte[] second)
      throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(role.getBytes(StandardCharsets.US_ASCII));
    all.write(first);
    all.write(second);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return mac.doFinal(all.toByteArray());
  }

  @Test
  void nonces_areSixteenFreshBytes() {
    assertEquals(Handshake.NONCE_BYTES, client.length);
    assertFalse(Arrays.equals(client, server));
    assertFalse(Arrays.equals(new byte[Handshake.NONCE_BYTES], client));
  }

  @Test
  void proofs_areHmacsOfTheRoleAndBothNonces() throws Exception {
    assertArrayEquals(expected(SECRET, "moonwire-server", client, server),
        Handshake.serverProof(SECRET, client, server));
    assertArrayEquals(expected(SECRET, "moonwire-client", server, client),
        Handshake.clientProof(SECRET, client, server));
  }

  @Test
  void aProof_matchesOnlyTheSameSecretRoleAndNonces() {
    byte[] proof = Handshake.serverProof(SECRET, client, server);

    assertTrue(Handshake.matches(proof, Handshake.serverProof(SECRET, client, server)));
    assertFalse(Handshake.matches(proof, Handshake.serverProof("other".getBytes(), client,
        server)));
    assertFalse(Handshake.matches(proof, Handshake.clientProof(SECRET, server, client)),
        "the client's proof is no server's, whatever the nonces' order");
    assertFalse(Handshake.matches(proof, Handshake.serverProof(SECRET, Handshake.nonce(),
        server)));
    assertFalse(Handshake.matches(proof, Handshake.serverProof(SECRET, client,
        Handshake.nonce())));
    assertFalse(Handshake.matches(proof, Arrays.copyOf(proof, 31)));
  }
}
