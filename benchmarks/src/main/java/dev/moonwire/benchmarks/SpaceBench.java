package dev.moonwire.benchmarks;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import dev.moonwire.rpc.Rpc;
import dev.moonwire.rpc.RpcConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
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
 * Tuple spaces (issue 19): out+in pairs per second on a space replicated on 3 and 5 member
 * processes of one JVM, beside total-order messages per second in the same group (a pair is two
 * ordered operations, so 0.5× is the ceiling); and a local space's out+in pair beside a {@link
 * LinkedBlockingQueue}'s put+take.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SpaceBench {
  private static final int BATCH = 100;

  @Param({"3", "5"})
  public int members;

  private final List<Dalua> all = new ArrayList<>();
  private final List<TupleSpace> spaces = new ArrayList<>();
  private final TupleSpace local = TupleSpace.local();
  private final LinkedBlockingQueue<Tuple> queue = new LinkedBlockingQueue<>();
  private String app;
  private volatile CountDownLatch delivered = new CountDownLatch(0);

  @Setup
  public void setUp() {
    app = "space-bench-" + System.nanoTime();
    for (int i = 0; i < members; i++) {
      Dalua d = Dalua.attach(Rpc.open(RpcConfig.defaults()), Directory.local());
      d.process().export("apply", a -> {
        delivered.countDown();
        return null;
      });
      all.add(d);
    }
    all.get(0).apps().create(app);
    all.forEach(d -> d.apps().join(app));
    all.forEach(d -> spaces.add(d.space(app)));
  }

  @TearDown
  public void tearDown() {
    all.forEach(d -> d.process().close());
  }

  /** BATCH pairs at once from member 0: each writes a tuple of its own and takes it back. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void replicatedOutInPair() throws InterruptedException {
    TupleSpace ts = spaces.get(0);
    CountDownLatch done = new CountDownLatch(BATCH);
    for (int i = 0; i < BATCH; i++) {
      int k = i;
      Thread.ofVirtual().start(() -> {
        ts.out(Tuple.of("p", k));
        ts.in(Template.of("p", k));
        done.countDown();
      });
    }
    done.await();
  }

  /** BATCH total-order messages from member 0, each delivered at every member. */
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

  @Benchmark
  public Tuple localOutInPair() {
    local.out(Tuple.of("p", 1));
    return local.in(Template.of("p", Integer.class));
  }

  @Benchmark
  public Tuple linkedBlockingQueuePutTake() throws InterruptedException {
    queue.put(Tuple.of("p", 1));
    return queue.take();
  }
}
