package dev.moonwire.csp;

import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the operations that never wait — offer, poll, close, and selects with a
 * skip — checked by Lincheck against {@link Spec}, a plain bounded FIFO with a closed flag. (From
 * Java, Lincheck cannot drive operations that block; {@link RendezvousScheduleTest} covers
 * those.)
 */
public class LincheckTest {
  private static final int DEPTH = 2;
  private final Channel<Integer> ch = Channel.create(DEPTH);

  @Operation
  public String offer(int v) {
    try {
      return String.valueOf(ch.offer(v));
    } catch (ChannelClosedException e) {
      return "closed";
    }
  }

  @Operation
  public String poll() {
    try {
      return ch.poll().map(String::valueOf).orElse("empty");
    } catch (ChannelClosedException e) {
      return "closed";
    }
  }

  @Operation
  public String close() {
    ch.close();
    return "ok";
  }

  @Operation
  public String selectReadOrSkip() {
    try {
      return Alt.select(Alt.read(ch, String::valueOf), Alt.skip(() -> "skip"));
    } catch (ChannelClosedException e) {
      return "closed";
    }
  }

  @Operation
  public String selectWriteOrSkip(int v) {
    try {
      return Alt.select(Alt.write(ch, v, () -> "sent"), Alt.skip(() -> "skip"));
    } catch (ChannelClosedException e) {
      return "closed";
    }
  }

  /** What a channel of depth 2 does, one operation at a time. */
  public static final class Spec {
    private final ArrayDeque<Integer> cells = new ArrayDeque<>();
    private boolean closed;

    public String offer(int v) {
      if (closed) {
        return "closed";
      }
      if (cells.size() == DEPTH) {
        return "false";
      }
      cells.add(v);
      return "true";
    }

    public String poll() {
      Integer v = cells.poll();
      return v != null ? String.valueOf(v) : closed ? "closed" : "empty";
    }

    public String close() {
      closed = true;
      return "ok";
    }

    public String selectReadOrSkip() {
      Integer v = cells.poll();
      return v != null ? String.valueOf(v) : closed ? "closed" : "skip";
    }

    public String selectWriteOrSkip(int v) {
      String r = offer(v);
      return r.equals("true") ? "sent" : r.equals("false") ? "skip" : r;
    }
  }

  @Test
  void nonBlockingOperations_stress_linearizable() {
    new StressOptions().iterations(30).invocationsPerIteration(1_000).threads(3)
        .actorsPerThread(3).sequentialSpecification(Spec.class).check(getClass());
  }

  @Test
  void nonBlockingOperations_modelChecking_linearizable() {
    new ModelCheckingOptions().iterations(30).invocationsPerIteration(300).threads(3)
        .actorsPerThread(3).sequentialSpecification(Spec.class).check(getClass());
  }
}
