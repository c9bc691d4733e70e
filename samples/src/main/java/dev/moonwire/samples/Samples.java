package dev.moonwire.samples;

import dev.moonwire.rpc.RpcProcess;
import dev.moonwire.samples.csp.ProducerConsumer;
import dev.moonwire.samples.csp.Sieve;
import dev.moonwire.samples.farm.JobFarm;
import dev.moonwire.samples.seeds.BoundedBuffer;
import dev.moonwire.samples.seeds.CspAlt;
import dev.moonwire.samples.seeds.Groups;
import dev.moonwire.samples.seeds.MinMax;
import dev.moonwire.samples.seeds.Philosophers;
import dev.moonwire.samples.seeds.ReadersWriters;
import dev.moonwire.samples.seeds.RicartAgrawala;
import dev.moonwire.samples.seeds.TimeServer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./mw sample [NAME [--option value]...]}: the seeds' programs on real processes. Each
 * prints what happens as it happens and ends with one line, {@code ok: ...} (the property it
 * checked, and its figures) or {@code FAILED: ...} with a non-zero exit. With
 * {@code --stats true} it prints its main process's {@link RpcProcess#stats()} at the end.
 */
public final class Samples {
  private Samples() {}

  /** A sample: what it shows, and how it runs. */
  public interface Sample {
    String about();

    /**
     * Runs the sample with its options; returns what {@code ok:} says.
     *
     * @throws Failed if its property does not hold
     */
    String run(Options options) throws Exception;
  }

  /** The property a sample checks does not hold. */
  public static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;

    public Failed(String message) {
      super(message);
    }
  }

  /** {@code --name value} options, with defaults. */
  public record Options(Map<String, String> values) {
    public int integer(String name, int otherwise) {
      return values.containsKey(name) ? Integer.parseInt(values.get(name)) : otherwise;
    }

    public String text(String name, String otherwise) {
      return values.getOrDefault(name, otherwise);
    }

    /** With {@code --stats true}: prints {@code process}'s {@link RpcProcess#stats()}. */
    public void report(RpcProcess process) {
      if (Boolean.parseBoolean(values.get("stats"))) {
        System.out.println("stats of " + process.stats());
      }
    }
  }

  static final Map<String, Sample> ALL = new LinkedHashMap<>();

  static {
    ALL.put("averaging", new AveragingDemo.Sample());
    ALL.put("ricart-agrawala", new RicartAgrawala());
    ALL.put("groups", new Groups());
    ALL.put("philosophers", new Philosophers());
    ALL.put("minmax", new MinMax());
    ALL.put("bounded-buffer", new BoundedBuffer());
    ALL.put("time-server", new TimeServer());
    ALL.put("readers-writers", new ReadersWriters());
    ALL.put("csp-alt", new CspAlt());
    ALL.put("sieve", new Sieve());
    ALL.put("producer-consumer", new ProducerConsumer());
    ALL.put("job-farm", new JobFarm());
  }

  public static void main(String[] args) {
    if (args.length == 0) {
      System.out.println("samples (./mw sample NAME [--option value]...):");
      ALL.forEach((name, s) -> System.out.printf("  %-16s %s%n", name, s.about()));
      return;
    }
    System.exit(run(args));
  }

  /** Runs the sample {@code args[0]}; returns the exit code (0 when its property holds). */
  public static int run(String... args) {
    Sample sample = ALL.get(args[0]);
    if (sample == null) {
      System.out.println("FAILED: no sample '" + args[0] + "' (expected one of " + ALL.keySet()
          + ")");
      return 2;
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    try {
      System.out.println("ok: " + sample.run(new Options(options)));
      return 0;
    } catch (Failed e) {
      System.out.println("FAILED: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.out.println("FAILED: " + e);
      return 1;
    }
  }
}
