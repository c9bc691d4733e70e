package dev.moonwire.samples.seeds;

import dev.moonwire.rpc.Args;
import dev.moonwire.rpc.Handler;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.sync.Synchronizer;
import dev.moonwire.samples.Samples;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Seed 004's bounded buffer (Andrews, fig. 8.5), served by one process:
 * <pre>
 *   in deposit(item) and count &lt; n -&gt; buf[rear] = item; ...
 *   [] fetch(item)   and count &gt; 0 -&gt; item = buf[front]; ...
 * </pre>
 * Producers and consumers are processes in JVMs of their own; the buffer's JVM too.
 */
public final class BoundedBuffer implements Samples.Sample {
  @Override
  public String about() {
    return "seed 004: producers and consumers around a bounded buffer   "
        + "[--n 4 --producers 3 --consumers 3 --items 30]";
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    int n = options.integer("n", 4);
    int producers = options.integer("producers", 3);
    int consumers = options.integer("consumers", 3);
    int items = options.integer("items", 30); // per producer
    int total = producers * items;
    try (RpcProcess main = Rpc.open(RpcConfig.defaults())) {
      Set<String> fetched = new HashSet<>();
      List<String> doubled = new ArrayList<>();
      CountDownLatch all = new CountDownLatch(total);
      main.export("fetched", a -> { // one at a time: a plain set
        if (!fetched.add(a.stringAt(1))) {
          doubled.add(a.stringAt(1));
        }
        all.countDown();
        return null;
      });
      ProcessId buffer = main.spawn(1, Buffer.class, String.valueOf(n)).get(0);
      List<ProcessId> ps = main.spawn(producers, Producer.class);
      List<ProcessId> cs = main.spawn(consumers, Consumer.class);
      System.out.println("a buffer of " + n + ", " + producers + " producers of " + items
          + " items each, " + consumers + " consumers: all spawned");
      for (int c = 0; c < consumers; c++) { // the items shared out among the consumers
        int share = total / consumers + (c < total % consumers ? 1 : 0);
        main.send(cs.get(c), "consume", c, buffer, share);
      }
      for (int p = 0; p < producers; p++) {
        main.send(ps.get(p), "produce", p, buffer, items);
      }
      if (!all.await(60, TimeUnit.SECONDS)) {
        throw new Samples.Failed("only " + (total - all.getCount()) + " of " + total
            + " items were fetched: lost ones, or a consumer stuck");
      }
      int[] peak = main.sync(buffer, "peak").call();
      if (!doubled.isEmpty()) {
        throw new Samples.Failed("fetched twice: " + doubled);
      }
      if (fetched.size() != total) {
        throw new Samples.Failed(fetched.size() + " distinct items of " + total);
      }
      if (peak[0] > n) {
        throw new Samples.Failed("the buffer held " + peak[0] + " items, more than " + n);
      }
      options.report(main);
      return total + " items deposited and each fetched once; the buffer never held more than "
          + n + " (at most " + peak[0] + "); " + peak[1] + " deposits and " + peak[2]
          + " fetches had to wait";
    }
  }

  /** The buffer: one process; deposits wait while it is full, fetches while it is empty. */
  public static final class Buffer {
    private Buffer() {}

    public static void main(String[] args) throws Exception {
      int n = Integer.parseInt(args[0]);
      ArrayDeque<String> buf = new ArrayDeque<>();
      Map<Args, String> taken = new HashMap<>(); // what each accepted fetch took
      int[] peak = {0, 0, 0}; // most held; deposits and fetches that were held
      Synchronizer s = Synchronizer.create()
          .addConstraint("buffer", "deposit", req -> buf.size() < n)
          .setTrigger("buffer", "deposit", req -> {
            buf.add(req.stringAt(0));
            peak[0] = Math.max(peak[0], buf.size());
          })
          .addConstraint("buffer", "fetch", req -> !buf.isEmpty())
          .setTrigger("buffer", "fetch", req -> taken.put(req, buf.poll()));
      Handler deposit = s.guard("buffer", "deposit", req -> null);
      Handler fetch = s.guard("buffer", "fetch", taken::remove);
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("deposit", a -> {
        peak[1] += buf.size() >= n ? 1 : 0; // full: this one waits
        return deposit.handle(a);
      });
      p.export("fetch", a -> {
        peak[2] += buf.isEmpty() ? 1 : 0; // empty: this one waits
        return fetch.handle(a);
      });
      p.export("peak", a -> peak);
      new CountDownLatch(1).await(); // until the main process stops this JVM
    }
  }

  /** A producer: deposits its items, one after another. */
  public static final class Producer {
    private Producer() {}

    public static void main(String[] args) throws Exception {
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("produce", a -> {
        int me = a.intAt(0);
        ProcessId buffer = a.get(1, ProcessId.class);
        for (int j = 0; j < a.intAt(2); j++) {
          String item = "p" + me + "-" + j;
          p.sync(buffer, "deposit").call(item); // waits while the buffer is full
          System.out.println("  producer " + me + " deposited " + item);
        }
        return null;
      });
      new CountDownLatch(1).await();
    }
  }

  /** A consumer: fetches its share and tells the main process what it got. */
  public static final class Consumer {
    private Consumer() {}

    public static void main(String[] args) throws Exception {
      ProcessId main = Rpc.parent().orElseThrow();
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      p.export("consume", a -> {
        int me = a.intAt(0);
        ProcessId buffer = a.get(1, ProcessId.class);
        for (int j = 0; j < a.intAt(2); j++) {
          String item = p.sync(buffer, "fetch").call(); // waits while the buffer is empty
          System.out.println("  consumer " + me + " fetched " + item);
          p.sync(main, "fetched").call(me, item);
        }
        return null;
      });
      new CountDownLatch(1).await();
    }
  }
}
