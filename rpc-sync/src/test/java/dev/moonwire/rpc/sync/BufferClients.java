package dev.moonwire.rpc.sync;

import static org.awaitility.Awaitility.await;

import dev.moonwire.rpc.RemoteFunction;
import dev.moonwire.rpc.RpcProcess;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Drives a bounded-buffer server (exports "put" and "get") from a producer and a consumer. */
final class BufferClients {
  private BufferClients() {}

  /**
   * Sends {@code n} puts (0..n-1) and {@code n} gets, all at once, puts first or gets first;
   * waits for every get's reply and returns the distinct values received.
   */
  static Set<Integer> exchange(RpcProcess server, RpcProcess producer, RpcProcess consumer,
      int n, boolean putsFirst) {
    Set<Integer> got = ConcurrentHashMap.newKeySet();
    AtomicInteger gets = new AtomicInteger();
    RemoteFunction get = consumer.<Integer>async(server.id(), "get", v -> {
      got.add(v);
      gets.incrementAndGet();
    });
    RemoteFunction put = producer.async(server.id(), "put", v -> { });
    for (int round = 0; round < 2; round++) {
      boolean puts = (round == 0) == putsFirst;
      for (int i = 0; i < n; i++) {
        if (puts) {
          put.call(i);
        } else {
          get.call();
        }
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> gets.get() == n);
    return got;
  }
}
