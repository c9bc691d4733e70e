package dev.moonwire.rpc.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.SerializationException;
import dev.moonwire.rpc.testing.Versions;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade: a bank service and its client, built from two versions of the same record
 * compiled apart, in two JVMs — this test's, with one version in a class loader of its own, and
 * a child JVM with the other. Nobody registers the record: exporting the interface and making
 * its proxy do.
 */
class RollingUpgradeTest {
  @TempDir static Path dir;
  static Path v1;
  static Path v2;
  static Path v3;
  RpcProcess client;

  private static Map<String, String> version(String components, String made) {
    return Map.of(
        "up.Account", "package up; public record Account(" + components + ") {}",
        "up.Bank", "package up; public interface Bank {"
            + " Account open(String owner); String describe(Account a); }",
        "up.BankServer", """
            package up;
            import dev.moonwire.rpc.*;
            public final class BankServer {
              public static void main(String[] args) throws Exception {
                RpcProcess p = Rpc.open(RpcConfig.defaults());
                p.export(Bank.class, new Bank() {
                  public Account open(String owner) { return new Account(%s); }
                  public String describe(Account a) { return a.toString(); }
                });
                System.out.println("READY " + p.id().port());
                System.out.flush();
                while (System.in.read() >= 0) { }
                p.close();
              }
            }
            """.formatted(made));
  }

  @BeforeAll
  static void compile() {
    v1 = Versions.compile(dir, "v1", version("String id, String owner, long balance",
        "\"acc-1\", owner, 0L"));
    v2 = Versions.compile(dir, "v2", version(
        "String id, String owner, long balance, String currency",
        "\"acc-1\", owner, 0L, \"EUR\""));
    v3 = Versions.compile(dir, "v3", version("String id, String owner, String balance",
        "\"acc-1\", owner, \"zero\""));
  }

  /** Each test's client process: one process holds one class of each name. */
  @BeforeEach
  void open() {
    client = Rpc.open(RpcConfig.defaults());
  }

  @AfterEach
  void close() {
    client.close();
  }

  /** Calls {@code method} of a proxy of this version's Bank on {@code server}. */
  private Object call(ClassLoader version, ProcessId server, String method,
      Object... args) throws Throwable {
    Class<?> bank = version.loadClass("up.Bank");
    Object proxy = client.sync(server, bank);
    for (var m : bank.getMethods()) {
      if (m.getName().equals(method)) {
        try {
          return m.invoke(proxy, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
    throw new IllegalArgumentException(method);
  }

  private static Object account(ClassLoader version, Object... components) throws Exception {
    return version.loadClass("up.Account").getConstructors()[0].newInstance(components);
  }

  @Test
  void newServer_oldClient_bothWays() throws Throwable {
    ClassLoader old = Versions.loader(v1);
    try (ChildPeer server = ChildPeer.start(v2, "up.BankServer")) {
      // Before schemas: Account[id=EUR, owner=acc-1, balance=0].
      assertEquals("Account[id=acc-1, owner=alice, balance=0]",
          call(old, server.id, "open", "alice").toString());
      assertEquals("Account[id=acc-9, owner=bob, balance=5, currency=null]",
          call(old, server.id, "describe", account(old, "acc-9", "bob", 5L)));
    }
  }

  @Test
  void oldServer_newClient_bothWays() throws Throwable {
    ClassLoader current = Versions.loader(v2);
    try (ChildPeer server = ChildPeer.start(v1, "up.BankServer")) {
      assertEquals("Account[id=acc-1, owner=alice, balance=0, currency=null]",
          call(current, server.id, "open", "alice").toString());
      assertEquals("Account[id=acc-9, owner=bob, balance=5]",
          call(current, server.id, "describe", account(current, "acc-9", "bob", 5L, "EUR")));
    }
  }

  @Test
  void aComponentWhoseTypeChanged_failsThatCall_andTheConnectionServesTheNext() throws Throwable {
    ClassLoader old = Versions.loader(v1);
    try (ChildPeer server = ChildPeer.start(v3, "up.BankServer")) {
      Throwable e = assertThrows(Throwable.class, () -> call(old, server.id, "open", "alice"));

      assertInstanceOf(SerializationException.class, e);
      assertTrue(e.getMessage().contains("record up.Account: component 'balance' is a "
          + "java.lang.String at " + server.id + " and a long here"), e.getMessage());
      // the server still answers on that connection: here, that a String is not an Account
      var next = assertThrows(dev.moonwire.rpc.BadArgumentsException.class,
          () -> client.sync(server.id, "describe").call("not an account"));
      assertTrue(next.getMessage().contains("up.Account"), next.getMessage());
    }
  }
}
