package dev.moonwire.samples.bank;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcFuture;
import dev.moonwire.rpc.RpcProcess;
import java.util.List;

/** README's bank example, as a program: a bank process and a client process, one JVM. */
public final class BankExample {
  private BankExample() {}

  public static void main(String[] args) throws Exception {
    try (RpcProcess bankProcess = Rpc.open(RpcConfig.defaults());
        RpcProcess client = Rpc.open(RpcConfig.defaults())) {
      BankService service = new BankService();
      bankProcess.export(Bank.class, service);
      System.out.println(run(client, bankProcess.id()));
    }
  }

  /** The client's side; returns what it saw. */
  public static String run(RpcProcess client, ProcessId bankId) throws Exception {
    Bank bank = client.sync(bankId, Bank.class);
    Account alice = bank.open("alice");                         // sync: a remote call
    RpcFuture<Long> deposited = bank.deposit(alice.id(), 100);  // future: returns at once
    long balance = deposited.join();
    String refused;
    try {
      bank.withdraw(alice.id(), 500);
      refused = "no";
    } catch (InsufficientFundsException e) {                   // declared: thrown as itself
      refused = e.getMessage();
    }
    Bank everyBank = client.send(List.of(bankId), Bank.class);  // one-way sends
    everyBank.audit("alice deposited 100");
    Account now = bank.find(alice.id()).toCompletableFuture().get();
    return "opened " + alice + "; balance " + balance + "; refused: " + refused + "; now " + now;
  }
}
