package dev.moonwire.rpc.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcException;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.testing.ProcessTestSupport;
import org.junit.jupiter.api.Test;

/** What is registered for the user, and what a missing registration says, between processes. */
class RegistrationTest extends ProcessTestSupport {
  public enum Currency { EUR, BRL }

  public record Money(long cents, Currency currency) {}

  public interface Exchange {
    Money convert(Money amount, Currency to);
  }

  public record Note(String text) {}

  @Test
  void recordsAndEnumsInAnInterfacesSignatures_areRegisteredByExportAndProxy() {
    RpcProcess server = open();
    RpcProcess client = open();
    server.export(Exchange.class, (amount, to) -> new Money(amount.cents() * 6, to));

    Exchange exchange = client.sync(server.id(), Exchange.class);

    assertEquals(new Money(600, Currency.BRL), exchange.convert(new Money(100, Currency.EUR),
        Currency.BRL));
  }

  @Test
  void aClassTheCalleeDidNotRegister_isNamedToTheCaller_withTheProcessThatLacksIt() {
    RpcProcess server = open(); // registers nothing: a Note through Object is not in its list
    RpcProcess client = open(RpcConfig.defaults().register(Note.class));
    server.export("keep", args -> String.valueOf(args.get(0, Object.class)));

    RpcException e = assertThrows(RpcException.class,
        () -> client.sync(server.id(), "keep").call(new Note("hi")));

    assertTrue(e.getMessage().contains(Note.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(server.id().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("register"), e.getMessage());
  }
}
