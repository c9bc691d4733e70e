package dev.moonwire.samples.bank;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The bank's implementation: plain state and no locks, since a process runs one event at a time. */
public final class BankService implements Bank {
  private final Map<String, Account> accounts = new HashMap<>();
  private final List<String> auditLog = new ArrayList<>();

  @Override
  public Account open(String owner) {
    Account a = new Account("acc-" + (accounts.size() + 1), owner, 0);
    accounts.put(a.id(), a);
    return a;
  }

  @Override
  public RpcFuture<Long> deposit(String id, long amount) {
    Account a = accounts.get(id);
    Account after = new Account(id, a.owner(), a.balance() + amount);
    accounts.put(id, after);
    return Rpc.current().submit(after::balance); // an implementation may answer with a future
  }

  @Override
  public long withdraw(String id, long amount) throws InsufficientFundsException {
    Account a = accounts.get(id);
    if (a.balance() < amount) {
      throw new InsufficientFundsException(id + " has " + a.balance() + ", not " + amount);
    }
    accounts.put(id, new Account(id, a.owner(), a.balance() - amount));
    return a.balance() - amount;
  }

  @Override
  public CompletionStage<Account> find(String id) {
    return CompletableFuture.completedFuture(accounts.get(id));
  }

  @Override
  public void audit(String line) {
    auditLog.add(line);
  }

  /** The audit lines so far (read as an event of the bank's process). */
  public List<String> auditLog() {
    return List.copyOf(auditLog);
  }
}
