package dev.moonwire.dalua.internal.space;

import dev.moonwire.dalua.SpaceLimits;
import dev.moonwire.dalua.Template;
import dev.moonwire.dalua.Tuple;
import dev.moonwire.dalua.TupleSpace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@code TupleSpace.local()} checked by Lincheck against {@link Spec}, a list
 * in write order where a template takes or reads the oldest match. Tuples are (key, value) with
 * two keys, so templates both match and miss. The waiting {@code in} is {@code in(template,
 * 2 ms)}: it registers a waiter that a concurrent {@code out} serves, or times out — both
 * linearizable as an {@code inp} at the serving or the time-out (Lincheck cannot drive a wait
 * that never ends from Java). Stress only for it: its timer is a thread of its own, which the
 * model checker does not control; the three operations that never wait are model-checked too.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "value", gen = IntGen.class, conf = "0:3")
public class LocalSpaceLincheckTest {
  private final TupleSpace ts = new LocalSpace("lincheck", SpaceLimits.DEFAULT);

  private static Template of(int key) {
    return Template.of(key, Integer.class);
  }

  private static String show(Optional<Tuple> t) {
    return t.map(x -> x.get(0) + "=" + x.get(1)).orElse("none");
  }

  @Operation
  public String out(@Param(name = "key") int key, @Param(name = "value") int value) {
    ts.out(Tuple.of(key, value));
    return "ok";
  }

  @Operation
  public String inp(@Param(name = "key") int key) {
    return show(ts.inp(of(key)));
  }

  @Operation
  public String rdp(@Param(name = "key") int key) {
    return show(ts.rdp(of(key)));
  }

  @Operation
  public String inWaiting(@Param(name = "key") int key) {
    return show(ts.in(of(key), Duration.ofMillis(2)));
  }

  /** One operation at a time: the oldest match first. */
  public static final class Spec {
    private final List<int[]> tuples = new ArrayList<>();

    public String out(int key, int value) {
      tuples.add(new int[] {key, value});
      return "ok";
    }

    public String inp(int key) {
      for (Iterator<int[]> it = tuples.iterator(); it.hasNext(); ) {
        int[] t = it.next();
        if (t[0] == key) {
          it.remove();
          return t[0] + "=" + t[1];
        }
      }
      return "none";
    }

    public String rdp(int key) {
      for (int[] t : tuples) {
        if (t[0] == key) {
          return t[0] + "=" + t[1];
        }
      }
      return "none";
    }

    public String inWaiting(int key) {
      return inp(key);
    }
  }

  @Test
  void operations_stress_linearizable() {
    new StressOptions().iterations(15).invocationsPerIteration(200).threads(3)
        .actorsPerThread(3).sequentialSpecification(Spec.class).check(getClass());
  }

  /** The operations that never wait, model-checked (every interleaving of the lock's steps). */
  @Param(name = "key", gen = IntGen.class, conf = "0:1")
  @Param(name = "value", gen = IntGen.class, conf = "0:3")
  public static class NonBlocking {
    private final TupleSpace ts = new LocalSpace("lincheck", SpaceLimits.DEFAULT);

    @Operation
    public String out(@Param(name = "key") int key, @Param(name = "value") int value) {
      ts.out(Tuple.of(key, value));
      return "ok";
    }

    @Operation
    public String inp(@Param(name = "key") int key) {
      return show(ts.inp(of(key)));
    }

    @Operation
    public String rdp(@Param(name = "key") int key) {
      return show(ts.rdp(of(key)));
    }
  }

  @Test
  void nonBlockingOperations_modelChecking_linearizable() {
    new ModelCheckingOptions().iterations(15).invocationsPerIteration(100).threads(3)
        .actorsPerThread(3).sequentialSpecification(Spec.class).check(NonBlocking.class);
  }
}
