package dev.moonwire.benchmarks;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Mutex;
import dev.moonwire.rpc.ProcessId;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DALua's algorithms among 3 and 5 member processes of one JVM: mutex entries per second
 * (Ricart &amp; Agrawala, each entry 2(n−1) messages), total-order messages per second (ISIS:
 * each a round of proposals and an agreement), and the same group's plain one-way send
 * throughput for comparison, and causal multicasts. A multicast counts as delivered once every
 * member has it.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DaluaBench {
  private static final int BATCH = 100;

  @Param({"3", "5"})
  public int members;

  private final List<Dalua> all = new ArrayList<>();
  private final List<Mutex> mutexes = new ArrayList<>();
  private List<ProcessId> ids;
  private String app;
  private volatile CountDownLatch delivered = new CountDownLatch(0);
  private int next;

  @Setup
  public void setUp() {
    app = "bench-" + System.nanoTime();
    for (int i = 0; i < members; i++) {
      Dalua d = Dalua.attach(Rpc.open(RpcConfig.defaults()), Directory.local());
      d.process().export("apply", a -> {
        delivered.countDown();
        return null;
      });
      all.add(d);
    }
    ids = all.stream().map(Dalua::self).toList();
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));
    all.forEach(d -> mutexes.add(d.mutex("bench", ids)));
  }

  @TearDown
  public void tearDown() {
    all.forEach(d -> d.process().close());
  }

  /** One entry and leave, by each member in turn (the caller blocks until granted). */
  @Benchmark
  public void mutexEntry() {
    Mutex m = mutexes.get(next++ % members);
    m.enter();
    m.leave();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void totalOrderMessage() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH * members);
    delivered = done;
    for (int i = 0; i < BATCH; i++) {
      all.get(0).total(app).send("apply", i);
    }
    done.await();
  }

  /** Causal multicasts: each goes to each other member as a call (so a refused one is resent). */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void causalMessage() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH * members);
    delivered = done;
    for (int i = 0; i < BATCH; i++) {
      all.get(0).causal(app).send("apply", i);
    }
    done.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void plainSendToTheGroup() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH * members);
    delivered = done;
    for (int i = 0; i < BATCH; i++) {
      all.get(0).process().send(ids, "apply", i);
    }
    done.await();
  }
}
