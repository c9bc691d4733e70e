package dev.moonwire.samples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.bank.Bank;
import dev.moonwire.samples.bank.BankExample;
import dev.moonwire.samples.bank.BankService;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's bank example does what README says it does. */
class BankExampleTest {
  @Test
  void everyCallStyle_throughOneTypedInterface() throws Exception {
    try (RpcProcess bankProcess = Rpc.open(RpcConfig.defaults());
        RpcProcess client = Rpc.open(RpcConfig.defaults())) {
      BankService service = new BankService();
      bankProcess.export(Bank.class, service);

      String seen = BankExample.run(client, bankProcess.id());

      assertEquals("opened Account[id=acc-1, owner=alice, balance=0]; balance 100; "
          + "refused: acc-1 has 100, not 500; now Account[id=acc-1, owner=alice, balance=100]",
          seen);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          bankProcess.submit(service::auditLog).join().equals(List.of("alice deposited 100")));
    }
  }
}
