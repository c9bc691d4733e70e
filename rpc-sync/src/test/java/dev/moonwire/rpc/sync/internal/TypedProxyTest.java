package dev.moonwire.rpc.sync.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.BadArgumentsException;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.RemoteInvocationException;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** One interface, every call style: synchronous, futures, one-way sends, declared exceptions. */
class TypedProxyTest extends ProcessTestSupport {
  public record Account(String id, long balance) {}

  public static final class InsufficientFunds extends Exception {
    public InsufficientFunds(String message) {
      super(message);
    }
  }

  public interface Bank {
    Account open(String owner);

    long balance(String id);

    RpcFuture<Long> deposit(String id, long amount);

    CompletionStage<String> whenReleased();

    CompletableFuture<Account> find(String id);

    void release(String word);

    long withdraw(String id, long amount) throws InsufficientFunds;

    CompletionStage<Long> withdrawLater(String id, long amount) throws InsufficientFunds;

    default long depositAndGet(String id, long amount) {
      return deposit(id, amount).join();
    }
  }

  /** Plain state, no locks; some methods answer with a stage the process completes later. */
  static class BankImpl implements Bank {
    final java.util.Map<String, Long> balances = new java.util.HashMap<>();
    final CompletableFuture<String> released = new CompletableFuture<>();

    @Override
    public Account open(String owner) {
      String id = "acc-" + (balances.size() + 1);
      balances.put(id, 0L);
      return new Account(id, 0);
    }

    @Override
    public long balance(String id) {
      return balances.get(id);
    }

    @Override
    public RpcFuture<Long> deposit(String id, long amount) {
      long now = balances.merge(id, amount, Long::sum);
      return Rpc.current().submit(() -> now); // an implementation may answer with a future
    }

    @Override
    public CompletionStage<String> whenReleased() {
      return released; // completed by a later event: release(...)
    }

    @Override
    public CompletableFuture<Account> find(String id) {
      return CompletableFuture.completedFuture(new Account(id, balances.get(id)));
    }

    @Override
    public void release(String word) {
      released.complete(word);
    }

    @Override
    public long withdraw(String id, long amount) throws InsufficientFunds {
      long has = balances.get(id);
      if (amount < 0) {
        throw new IllegalArgumentException("negative amount " + amount);
      }
      if (has < amount) {
        throw new InsufficientFunds(id + " is short by " + (amount - has));
      }
      balances.put(id, has - amount);
      return has - amount;
    }

    @Override
    public CompletionStage<Long> withdrawLater(String id, long amount) {
      try {
        return CompletableFuture.completedFuture(withdraw(id, amount));
      } catch (InsufficientFunds e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  @Test
  void futureReturningMethods_returnAtOnce_andTheReplyGoesWhenTheServersStageCompletes()
      throws Exception {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export(Bank.class, new BankImpl());
    Bank bank = client.sync(server.id(), Bank.class);
    Account a = bank.open("alice"); // Account registered by export and by the proxy: no config

    CompletionStage<String> released = bank.whenReleased();
    RpcFuture<Long> deposited = bank.deposit(a.id(), 10);

    assertEquals(10L, deposited.join());
    assertFalse(released.toCompletableFuture().isDone(), "returned at once, still pending");
    bank.release("go"); // the server served this while whenReleased waited for its stage
    assertEquals("go", released.toCompletableFuture().get());
    assertEquals(new Account(a.id(), 10), bank.find(a.id()).get());
    assertEquals(25L, bank.depositAndGet(a.id(), 15));
  }

  @Test
  void aDeclaredCheckedException_isThrownAgainAsItself_withTheRemoteFailureAsCause() {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export(Bank.class, new BankImpl());
    Bank bank = client.sync(server.id(), Bank.class);
    Account a = bank.open("bob");

    var e = assertThrows(InsufficientFunds.class, () -> bank.withdraw(a.id(), 5));

    assertEquals(a.id() + " is short by 5", e.getMessage());
    var remote = assertInstanceOf(RemoteInvocationException.class, e.getCause());
    assertTrue(remote.remoteStack().contains("BankImpl.withdraw"), remote.remoteStack());
    // an exception the method does not declare stays a RemoteInvocationException
    var undeclared = assertThrows(RemoteInvocationException.class,
        () -> bank.withdraw(a.id(), -1));
    assertEquals(IllegalArgumentException.class.getName(), undeclared.remoteClass());
    // and through a future: the stage fails with the declared exception
    var later = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> bank.withdrawLater(a.id(), 9).toCompletableFuture().get());
    assertInstanceOf(InsufficientFunds.class, later.getCause());
    assertEquals(a.id() + " is short by 9", later.getCause().getMessage());
  }

  @Test
  void aSendProxy_sendsVoidMethodsToEachTarget_andRefusesOnesWithAResult() {
    RpcProcess client = open();
    List<String> seen = new CopyOnWriteArrayList<>();
    RpcProcess a = open();
    RpcProcess b = open();
    a.export(Bank.class, new BankImpl() {
      @Override
      public void release(String word) {
        seen.add("a:" + word);
      }
    });
    b.export(Bank.class, new BankImpl() {
      @Override
      public void release(String word) {
        seen.add("b:" + word);
      }
    });

    Bank both = client.send(List.of(a.id(), b.id(), a.id()), Bank.class);
    both.release("hi");

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    assertEquals(List.of("a:hi", "b:hi"), seen.stream().sorted().toList());
    assertThrows(UnsupportedOperationException.class, () -> both.balance("x"));
  }

  @Test
  void aSendProxyWithAPrefix_reachesTheExportOfThatPrefix_only() {
    RpcProcess client = open();
    List<String> seen = new CopyOnWriteArrayList<>();
    RpcProcess a = open();
    a.export("proto", Bank.class, new BankImpl() {
      @Override
      public void release(String word) {
        seen.add("proto:" + word);
      }
    });
    a.export("release", args -> seen.add("unprefixed:" + args.stringAt(0)));

    client.send(List.of(a.id()), "proto", Bank.class).release("hi");

    await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
    client.sync(a.id(), "proto.open").call("x"); // after the send on the same connection
    assertEquals(List.of("proto:hi"), seen);
  }

  @Test
  void argumentsThatDoNotFitTheParameters_areRefusedBeforeAnythingIsSent() throws Throwable {
    RpcProcess server = open();
    RpcProcess client = open();
    BankImpl impl = new BankImpl();
    server.export(Bank.class, impl);
    Bank bank = client.sync(server.id(), Bank.class);
    // what heap pollution (raw types, unchecked casts) can hand a proxy
    var handler = Proxy.getInvocationHandler(bank);
    var open = Bank.class.getMethod("open", String.class);

    var e = assertThrows(BadArgumentsException.class,
        () -> handler.invoke(bank, open, new Object[] {42}));

    assertTrue(e.getMessage().contains("nothing was sent"), e.getMessage());
    assertEquals(0, impl.balances.size());
  }

  @Test
  void submit_runsATaskAsAnEventOfTheProcess_andReturnsItsFuture() {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export(Bank.class, new BankImpl());
    ProcessId target = server.id();

    RpcFuture<Long> balance = client.submit(() -> {
      Bank bank = Rpc.sync(target, Bank.class); // inside the event: Rpc.current() is client
      Account acc = bank.open("carol");
      bank.deposit(acc.id(), 7).join();
      return bank.balance(acc.id());
    });

    assertEquals(7L, balance.join());
    RpcFuture<Object> failing = client.submit(() -> {
      throw new IllegalStateException("no");
    });
    var e = assertThrows(java.util.concurrent.CompletionException.class, failing::join);
    assertEquals("no", e.getCause().getMessage());
  }
}
