package dev.moonwire.samples.seeds;

import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.rpc.sync.Synchronizer;
import dev.moonwire.samples.Samples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Seed 004's exchange of values (Andrews, figs. 7.11–7.13): {@code n} processes, each in a JVM
 * of its own and holding one value, end knowing the global smallest and largest. Three shapes
 * — centralized, symmetric, ring — differ in how many messages they send; each process counts
 * the ones it sends, and the total must be the seed's formula.
 *
 * <p>As in the seed, a process receives from a channel: here an operation of a
 * {@link Synchronizer} whose constraint holds messages back until the process has its value
 * (a neighbour may start first), and whose trigger is the seed's loop body.
 */
public final class MinMax implements Samples.Sample {
  @Override
  public String about() {
    return "seed 004: n processes learn the global min and max   [--shape ring --n 5]";
  }

  static long expectedMessages(String shape, int n) {
    return switch (shape) {
      case "centralized", "ring" -> 2L * (n - 1);
      case "symmetric" -> (long) n * (n - 1);
      default -> throw new IllegalArgumentException(shape);
    };
  }

  @Override
  public String run(Samples.Options options) throws Exception {
    String shape = options.text("shape", "ring");
    int n = options.integer("n", 5);
    if (n < 2 || !List.of("centralized", "symmetric", "ring").contains(shape)) {
      throw new Samples.Failed("expected --shape centralized|symmetric|ring and --n of 2 or more");
    }
    Random random = new Random(4140);
    int[] values = random.ints(n, 0, 1000).toArray();
    int smallest = Arrays.stream(values).min().orElseThrow();
    int largest = Arrays.stream(values).max().orElseThrow();
    try (RpcProcess referee = Rpc.open(RpcConfig.defaults())) {
      CountDownLatch done = new CountDownLatch(n);
      long[] sent = {0};
      List<String> wrong = new ArrayList<>();
      referee.export("done", a -> { // one at a time: plain fields
        int i = a.intAt(0);
        System.out.printf("  P[%d] (value %d) knows smallest %d, largest %d; it sent %d%n",
            i, values[i], a.intAt(1), a.intAt(2), a.longAt(3));
        if (a.intAt(1) != smallest || a.intAt(2) != largest) {
          wrong.add("P[" + i + "]");
        }
        sent[0] += a.longAt(3);
        done.countDown();
        return null;
      });
      List<ProcessId> ps = referee.spawn(n, P.class, shape);
      System.out.println(n + " processes spawned, " + shape + "; values "
          + Arrays.toString(values));
      for (int i = 0; i < n; i++) {
        referee.send(ps.get(i), "start", i, values[i], ps);
      }
      if (!done.await(60, TimeUnit.SECONDS)) {
        throw new Samples.Failed("only " + (n - done.getCount()) + " of " + n + " finished");
      }
      if (!wrong.isEmpty()) { // every "done" has run: the latch says so
        throw new Samples.Failed(wrong + " ended with a wrong smallest or largest");
      }
      System.out.println("messages: " + sent[0]);
      long expected = expectedMessages(shape, n);
      if (sent[0] != expected) {
        throw new Samples.Failed(sent[0] + " messages sent; the seed's formula says " + expected);
      }
      options.report(referee);
      return "every one of " + n + " processes knows smallest " + smallest + " and largest "
          + largest + "; " + shape + " sent " + sent[0] + " messages, as its formula says";
    }
  }

  /** P[i], in a JVM of its own: the seed's process of the chosen shape. */
  public static final class P {
    private final RpcProcess process;
    private final ProcessId referee;
    private final String shape;
    // the process's state, changed only in triggers (one event at a time)
    private int i = -1;
    private int v;
    private int n;
    private List<ProcessId> ps;
    private int smallest;
    private int largest;
    private int received;
    private long sent;

    private P(RpcProcess process, ProcessId referee, String shape) {
      this.process = process;
      this.referee = referee;
      this.shape = shape;
    }

    public static void main(String[] args) throws Exception {
      RpcProcess p = Rpc.open(RpcConfig.defaults());
      new P(p, Rpc.parent().orElseThrow(), args[0]).serve();
      new CountDownLatch(1).await(); // until the referee stops this JVM
    }

    private void serve() {
      Synchronizer channels = Synchronizer.create()
          .setTrigger("P", "start", req -> start(req.intAt(0), req.intAt(1), req.get(2, List.class)))
          .addConstraint("P", "values", req -> i >= 0) // held until this one has its value
          .setTrigger("P", "values", req -> receive(req.intAt(0), req.intAt(1)));
      process.export("start", channels.guard("P", "start", req -> null));
      process.export("values", channels.guard("P", "values", req -> null));
    }

    private void send(int to, int small, int large) {
      sent++;
      process.send(ps.get(to), "values", small, large);
    }

    private void done() {
      process.send(referee, "done", i, smallest, largest, sent);
    }

    @SuppressWarnings("unchecked")
    private void start(int i, int v, List<?> ids) {
      this.i = i;
      this.v = v;
      this.n = ids.size();
      this.ps = (List<ProcessId>) ids;
      smallest = v;
      largest = v;
      switch (shape) {
        case "centralized" -> {
          if (i > 0) {
            send(0, v, v); // send values(v) to the coordinator, then receive results
          }
        }
        case "symmetric" -> {
          for (int j = 0; j < n; j++) {
            if (j != i) {
              send(j, v, v);
            }
          }
        }
        default -> { // ring: P[0] starts the exchange
          if (i == 0) {
            send(1, v, v);
          }
        }
      }
    }

    /** One message of the exchange: (smallest, largest) so far, or a value twice. */
    private void receive(int small, int large) {
      received++;
      switch (shape) {
        case "centralized" -> {
          if (i == 0) { // the coordinator: n-1 values, then the results to each
            keep(small, large);
            if (received == n - 1) {
              for (int j = 1; j < n; j++) {
                send(j, smallest, largest);
              }
              done();
            }
          } else { // the results
            smallest = small;
            largest = large;
            done();
          }
        }
        case "symmetric" -> {
          keep(small, large);
          if (received == n - 1) {
            done();
          }
        }
        default -> ring(small, large);
      }
    }

    private void ring(int small, int large) {
      if (i == 0) { // the global result, back from P[n-1]: on to P[1], unless it is the last
        smallest = small;
        largest = large;
        if (n > 2) {
          send(1, smallest, largest);
        }
        done();
      } else if (received == 1) { // the result so far: add v, pass it on
        smallest = Math.min(small, v);
        largest = Math.max(large, v);
        send((i + 1) % n, smallest, largest);
        if (i == n - 1) {
          done(); // what it sent P[0] is the global result
        }
      } else { // the global result, from P[i-1]: on to P[i+1], but not from P[n-2]
        smallest = small;
        largest = large;
        if (i < n - 2) {
          send(i + 1, smallest, largest);
        }
        done();
      }
    }

    private void keep(int small, int large) {
      smallest = Math.min(smallest, small);
      largest = Math.max(largest, large);
    }
  }
}
