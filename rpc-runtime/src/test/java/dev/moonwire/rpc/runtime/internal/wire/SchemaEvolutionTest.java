package dev.moonwire.rpc.runtime.internal.wire;

import dev.moonwire.rpc.runtime.internal.wire.Frames;
import dev.moonwire.rpc.runtime.internal.wire.WireKryo;
import dev.moonwire.rpc.runtime.internal.wire.WireRegistry;
import dev.moonwire.rpc.runtime.internal.wire.WireSchema;
import dev.moonwire.rpc.runtime.internal.wire.WireSerializer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.testing.Versions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two builds of one service in one JVM, each class version in a loader of its own, talking
 * through the codec as two processes do: each reads the other's values by the other's shapes.
 * (The same in two JVMs, over the wire: the sync module's RollingUpgradeTest.)
 */
class SchemaEvolutionTest {
  static final ProcessId OLD = ProcessId.of("127.0.0.1", 1001);
  static final ProcessId NEW = ProcessId.of("127.0.0.1", 1002);

  @TempDir static Path dir;
  static Side old;
  static Side current;
  static Side changed;

  /** One process's classes, registry and codec. */
  record Side(ProcessId id, ClassLoader loader, WireRegistry registry, WireSerializer codec) {
    static Side of(ProcessId id, Path classes, String... names) throws Exception {
      ClassLoader loader = Versions.loader(classes);
      List<Class<?>> types = new java.util.ArrayList<>();
      for (String n : names) {
        types.add(loader.loadClass(n));
      }
      WireRegistry registry = new WireRegistry(types, WireKryo.BUILT_IN);
      return new Side(id, loader, registry, new WireSerializer(registry, 1 << 20));
    }

    Object make(String type, Object... args) throws Exception {
      return loader.loadClass(type).getConstructors()[0].newInstance(args);
    }

    Object constant(String type, String name) throws Exception {
      for (Object c : loader.loadClass(type).getEnumConstants()) {
        if (((Enum<?>) c).name().equals(name)) {
          return c;
        }
      }
      throw new IllegalArgumentException(name);
    }

    /** This side's SCHEMA frame, as the receiver reads it. */
    WireSchema.Peer schema() {
      ByteBuf frame = WireSchema.encode(ByteBufAllocator.DEFAULT, registry.shapes());
      try {
        frame.skipBytes(5);
        return WireSchema.Peer.of(id, WireSchema.decode(frame));
      } finally {
        frame.release();
      }
    }

    /** Sends {@code value} to {@code to}, which reads it by this side's shapes. */
    Object sendTo(Side to, Object value) {
      ByteBuf frame = codec.encodeCall(ByteBufAllocator.DEFAULT, Frames.SEND, 0, 0, "f",
          new Object[] {value});
      try {
        frame.skipBytes(5);
        Frames.readShortString(frame);
        return to.codec.decodeArgs(frame, "f", schema())[0];
      } finally {
        frame.release();
      }
    }
  }

  @BeforeAll
  static void compile() throws Exception {
    Path v1 = Versions.compile(dir, "v1", Map.of(
        "up.Account", "package up; public record Account(String id, String owner, long balance)"
            + " {}",
        "up.Currency", "package up; public enum Currency { EUR, USD }",
        "up.Note", "package up; public class Note { public String text; }"));
    Path v2 = Versions.compile(dir, "v2", Map.of(
        "up.Account", "package up; public record Account(String id, String owner, long balance,"
            + " up.Currency currency) {}",
        "up.Currency", "package up; public enum Currency { USD, GBP, EUR }",
        "up.Note", "package up; public class Note { public String text; public int n; }",
        "up.Extra", "package up; public record Extra(int x) {}"));
    Path v3 = Versions.compile(dir, "v3", Map.of(
        "up.Account", "package up; public record Account(String id, String owner, String balance)"
            + " {}"));
    old = Side.of(OLD, v1, "up.Account", "up.Currency", "up.Note");
    current = Side.of(NEW, v2, "up.Account", "up.Currency", "up.Note", "up.Extra");
    changed = Side.of(NEW, v3, "up.Account");
  }

  @Test
  void aRecordWithAComponentMore_isReadByTheOldBuild_withoutIt() throws Exception {
    Object sent = current.make("up.Account", "acc-1", "alice", 10L,
        current.constant("up.Currency", "EUR"));

    Object read = current.sendTo(old, sent);

    // Before schemas, this read Account[id=EUR, owner=acc-1, balance=0]: fields shifted.
    assertEquals("Account[id=acc-1, owner=alice, balance=10]", read.toString());
  }

  @Test
  void aRecordWithAComponentLess_isReadByTheNewBuild_withItsDefault() throws Exception {
    Object read = old.sendTo(current, old.make("up.Account", "acc-2", "bob", 7L));

    assertEquals("Account[id=acc-2, owner=bob, balance=7, currency=null]", read.toString());
  }

  @Test
  void aComponentWhoseTypeChanged_failsTheCall_namingClassComponentAndBothTypes()
      throws Exception {
    Object sent = old.make("up.Account", "acc-3", "carol", 5L);

    var e = assertThrows(SerializationException.class, () -> old.sendTo(changed, sent));

    assertTrue(e.getMessage().contains("up.Account"), e.getMessage());
    assertTrue(e.getMessage().contains("'balance'"), e.getMessage());
    assertTrue(e.getMessage().contains("long at " + OLD), e.getMessage());
    assertTrue(e.getMessage().contains("java.lang.String here"), e.getMessage());
    assertEquals(null, e.getCause(), "no Kryo type as the cause");
  }

  @Test
  void enumConstants_areMatchedByName_anUnknownOneIsAClearError() throws Exception {
    assertEquals("EUR", old.sendTo(current, old.constant("up.Currency", "EUR")).toString());
    assertEquals("USD", current.sendTo(old, current.constant("up.Currency", "USD")).toString());

    var e = assertThrows(SerializationException.class,
        () -> current.sendTo(old, current.constant("up.Currency", "GBP")));
    assertTrue(e.getMessage().contains("constant GBP of " + NEW + " is unknown here"),
        e.getMessage());
  }

  @Test
  void aPlainClassWhoseFieldsDiffer_isRefused_namingBothShapes() throws Exception {
    Object note = current.make("up.Note");

    var e = assertThrows(SerializationException.class, () -> current.sendTo(old, note));

    assertTrue(e.getMessage().contains("class up.Note differs between " + NEW), e.getMessage());
    assertTrue(e.getMessage().contains("int n"), e.getMessage());
  }

  @Test
  void aClassTheReceiverLacks_isNamed_withTheSenderAndTheReceiver() throws Exception {
    Object extra = current.make("up.Extra", 1);

    var e = assertThrows(SerializationException.class, () -> current.sendTo(old, extra));

    // Before schemas: "Encountered unregistered class ID: 1141972".
    assertTrue(e.getMessage().contains("class up.Extra sent by " + NEW
        + " is not registered in this process"), e.getMessage());
    assertTrue(e.getMessage().contains("RpcConfig.register(up.Extra.class)"), e.getMessage());
  }
}
