package dev.moonwire.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark in one JMH run and prints a Markdown table of the figures with their
 * ratios to raw Netty and to gRPC-java measured in the same run.
 *
 * <pre>
 * java -jar benchmarks.jar          # the whole suite, with -prof gc (about 6 minutes)
 * java -jar benchmarks.jar smoke    # one short iteration of each, 32-byte payload, no fork
 * java -jar benchmarks.jar jmh ...  # plain JMH command line
 * </pre>
 */
public final class BenchmarkSuite {
  private BenchmarkSuite() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("dalua")) {
      dalua();
      return;
    }
    if (args.length > 0 && args[0].equals("observer")) {
      new Runner(new OptionsBuilder().include(ObserverBench.class.getSimpleName()).build())
          .run();
      return;
    }
    boolean smoke = args.length > 0 && args[0].equals("smoke");
    Collection<RunResult> results = run(smoke);
    System.out.println();
    System.out.println(table(results));
    java.nio.file.Path png = java.nio.file.Path.of("benchmarks", "target",
        smoke ? "latency-smoke.png" : "latency.png");
    try {
      if (LatencyPlot.write(results, png)) {
        System.out.println("Latency percentiles plotted in " + png);
      }
    } catch (Exception | Error e) { // no fonts on a bare machine: the table is the result
      System.out.println("No latency plot: " + e);
    }
  }

  static Collection<RunResult> run(boolean smoke) throws Exception {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(RawNettyBench.class.getSimpleName())
        .include(MoonwireBench.class.getSimpleName())
        .include(MoonwireCarriedBench.class.getSimpleName())
        .include(GrpcBench.class.getSimpleName())
        .include(RmiBench.class.getSimpleName());
    if (smoke) {
      options.forks(0).warmupIterations(0).measurementIterations(1)
          .measurementTime(TimeValue.milliseconds(300)).param("payload", "32");
    } else {
      options.addProfiler(GCProfiler.class);
    }
    return new Runner(options.build()).run();
  }

  /** DALua's benchmarks, with their ratios to the same group's plain send throughput. */
  static void dalua() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(DaluaBench.class.getSimpleName()).build()).run();
    Map<String, Double> plain = new java.util.HashMap<>();
    for (RunResult r : results) {
      if (r.getParams().getBenchmark().endsWith("plainSendToTheGroup")) {
        plain.put(r.getParams().getParam("members"), r.getPrimaryResult().getScore());
      }
    }
    StringBuilder out = new StringBuilder("""

        | benchmark | members | per second | ÷ plain send |
        |---|---|---|---|
        """);
    for (RunResult r : results) {
      String members = r.getParams().getParam("members");
      double score = r.getPrimaryResult().getScore();
      out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.3f |%n",
          r.getParams().getBenchmark().replaceFirst(".*\\.benchmarks\\.", ""), members, score,
          score / plain.getOrDefault(members, Double.NaN)));
    }
    System.out.println(out);
  }

  /** One row per benchmark and payload. */
  record Row(String bench, int payload, boolean latency, double score, double bytesPerOp) {}

  static List<Row> rows(Collection<RunResult> results) {
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      var params = r.getParams();
      String name = params.getBenchmark().replaceFirst(".*\\.benchmarks\\.", "");
      int payload = Integer.parseInt(params.getParam("payload"));
      Result<?> primary = r.getPrimaryResult();
      boolean latency = params.getMode() == org.openjdk.jmh.annotations.Mode.SampleTime;
      double score = latency ? primary.getStatistics().getPercentile(50) : primary.getScore();
      Map<String, Result> secondary = r.getSecondaryResults();
      double alloc = Optional.ofNullable(secondary.get("gc.alloc.rate.norm"))
          .map(Result::getScore).orElse(Double.NaN);
      rows.add(new Row(name, payload, latency, score, alloc));
    }
    return rows;
  }

  static String table(Collection<RunResult> results) {
    List<Row> rows = rows(results);
    StringBuilder out = new StringBuilder();
    out.append("| benchmark | payload | figure | ÷ raw Netty | ÷ gRPC-java | alloc B/call |\n");
    out.append("|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      String rawName = row.latency() ? "RawNettyBench.latencyWritePerCall"
          : "RawNettyBench.throughputBatched";
      String grpcName = row.latency() ? "GrpcBench.blockingLatency" : "GrpcBench.asyncThroughput";
      out.append(String.format(Locale.ROOT, "| %s | %d B | %s | %s | %s | %s |%n",
          row.bench(), row.payload(),
          row.latency() ? String.format(Locale.ROOT, "p50 %.1f µs", row.score())
              : String.format(Locale.ROOT, "%,.0f calls/s", row.score()),
          ratio(row, find(rows, rawName, row.payload())),
          ratio(row, find(rows, grpcName, row.payload())),
          Double.isNaN(row.bytesPerOp()) ? "—"
              : String.format(Locale.ROOT, "%.0f", row.bytesPerOp())));
    }
    out.append("\nLatency ratios are this ÷ peer (lower is better); throughput ratios are "
        + "this ÷ peer (higher is better). Raw Netty: write-per-call for latency, batched for "
        + "throughput. gRPC: blocking stub for latency, async for throughput.\n");
    return out.toString();
  }

  private static Row find(List<Row> rows, String bench, int payload) {
    return rows.stream().filter(r -> r.bench().equals(bench) && r.payload() == payload)
        .findFirst().orElse(null);
  }

  private static String ratio(Row row, Row base) {
    if (base == null || base.score() == 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.2f", row.score() / base.score());
  }
}
