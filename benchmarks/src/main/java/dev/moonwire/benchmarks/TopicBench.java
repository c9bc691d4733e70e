package dev.moonwire.benchmarks;

import dev.moonwire.dalua.Dalua;
import dev.moonwire.dalua.Directory;
import dev.moonwire.dalua.Topic;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A FIFO topic's publish to 3 subscriber processes against plain one-way sends of the same
 * values to the same 3 (issue 19's goal: ≥ 0.7×). Both are issued from one event of the
 * publishing process, 100 at a time, and count once every subscriber has each value. A publish
 * is a call per subscriber answered once its handler ran (the window that holds publishers back
 * when a subscriber is full); a send is a one-way frame.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TopicBench {
  private static final int BATCH = 100;
  private static final int SUBSCRIBERS = 3;

  private final List<Dalua> subscribers = new ArrayList<>();
  private Dalua publisher;
  private Topic<Integer> topic;
  private List<ProcessId> ids;
  private volatile CountDownLatch delivered = new CountDownLatch(0);

  @Setup
  public void setUp() {
    String name = "bench-" + System.nanoTime();
    publisher = Dalua.attach(Rpc.open(RpcConfig.defaults()), Directory.local());
    topic = publisher.topic(name, Integer.class);
    for (int i = 0; i < SUBSCRIBERS; i++) {
      Dalua d = Dalua.attach(Rpc.open(RpcConfig.defaults()), Directory.local());
      d.process().export("apply", a -> {
        delivered.countDown();
        return null;
      });
      d.topic(name, Integer.class).subscribe(m -> delivered.countDown());
      subscribers.add(d);
    }
    ids = subscribers.stream().map(Dalua::self).toList();
  }

  @TearDown
  public void tearDown() {
    subscribers.forEach(d -> d.process().close());
    publisher.process().close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fifoPublishToThree() throws Exception {
    CountDownLatch done = new CountDownLatch(BATCH * SUBSCRIBERS);
    delivered = done;
    publisher.process().submit(() -> {
      for (int i = 0; i < BATCH; i++) {
        topic.publish(i);
      }
      return null;
    }).get();
    done.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void plainSendToThree() throws Exception {
    CountDownLatch done = new CountDownLatch(BATCH * SUBSCRIBERS);
    delivered = done;
    publisher.process().submit(() -> {
      for (int i = 0; i < BATCH; i++) {
        publisher.process().send(ids, "apply", i);
      }
      return null;
    }).get();
    done.await();
  }
}
