package dev.moonwire.samples.bank;

import dev.moonwire.rpc.RpcFuture;
import java.util.concurrent.CompletionStage;

/**
 * A bank service, the README's example of a typed interface: one interface for every call
 * style. Records in its signatures ({@link Account}) are registered by exporting it or making
 * its proxy; nobody lists them in {@code RpcConfig}.
 */
public interface Bank {
  /** Opens an account for {@code owner}. Synchronous through a proxy. */
  Account open(String owner);

  /** Adds {@code amount} and returns the new balance. Asynchronous: returns its future at once. */
  RpcFuture<Long> deposit(String id, long amount);

  /** Takes {@code amount}, or throws {@link InsufficientFundsException} — at the caller too. */
  long withdraw(String id, long amount) throws InsufficientFundsException;

  /** The account as it is now. Asynchronous, as a plain {@link CompletionStage}. */
  CompletionStage<Account> find(String id);

  /** Writes a line to the bank's audit log: a one-way send through {@code send(targets, ...)}. */
  void audit(String line);
}
