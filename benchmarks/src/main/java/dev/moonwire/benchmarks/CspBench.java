package dev.moonwire.benchmarks;

import dev.moonwire.csp.Channel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Local CSP channels beside the JDK's queues, in the same run: a rendezvous hand-off between
 * two virtual threads (against {@link SynchronousQueue}), and a buffered channel of 64 cells
 * (against {@link ArrayBlockingQueue}). Each invocation moves {@value #VALUES} values from a
 * writer thread to a reader thread, both virtual; the score is values per microsecond.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CspBench {
  static final int VALUES = 20_000;
  private static final Integer VALUE = 7;

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public void rendezvousChannel() throws InterruptedException {
    Channel<Integer> ch = Channel.create(0);
    exchange(() -> ch.write(VALUE), ch::read);
  }

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public void synchronousQueue() throws InterruptedException {
    BlockingQueue<Integer> q = new SynchronousQueue<>();
    exchange(() -> q.put(VALUE), q::take);
  }

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public void bufferedChannel64() throws InterruptedException {
    Channel<Integer> ch = Channel.create(64);
    exchange(() -> ch.write(VALUE), ch::read);
  }

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public void arrayBlockingQueue64() throws InterruptedException {
    BlockingQueue<Integer> q = new ArrayBlockingQueue<>(64);
    exchange(() -> q.put(VALUE), q::take);
  }

  private interface Put {
    void put() throws InterruptedException;
  }

  private interface Take {
    Object take() throws InterruptedException;
  }

  private static void exchange(Put put, Take take) throws InterruptedException {
    Thread writer = Thread.ofVirtual().start(() -> {
      try {
        for (int i = 0; i < VALUES; i++) {
          put.put();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread reader = Thread.ofVirtual().start(() -> {
      try {
        for (int i = 0; i < VALUES; i++) {
          take.take();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    writer.join();
    reader.join();
  }
}
