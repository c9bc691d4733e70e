package dev.moonwire.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Times two builds of the benchmarks against each other on a noisy machine: runs the same JMH
 * selection from jar A, then from jar B, then A, B… each in a JVM of its own, and prints each
 * figure's ratio B÷A as the geometric mean of the rounds' ratios, with a 95% confidence
 * interval (Student's t on the logs of the ratios). Alternating matters: this machine's speed
 * drifts over minutes, and two runs taken far apart differ more than two builds do.
 *
 * <pre>
 * java -cp benchmarks.jar dev.moonwire.benchmarks.Compare A.jar B.jar ROUNDS REGEX [JMH ARGS...]
 * </pre>
 *
 * ({@code ./mw bench compare A B [REGEX]} builds the jars of two commits and runs this.)
 */
public final class Compare {
  private Compare() {}

  /** One figure: a benchmark with its parameters, and a metric (the score, or a profiler's). */
  private record Key(String benchmark, String params, String metric, String unit) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: Compare A.jar B.jar ROUNDS REGEX [JMH ARGS...]");
      System.exit(2);
    }
    Path a = Path.of(args[0]);
    Path b = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    List<String> jmh = new ArrayList<>(List.of(args).subList(3, args.length));
    Map<Key, List<Double>> scoresA = new LinkedHashMap<>();
    Map<Key, List<Double>> scoresB = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      System.err.printf(Locale.ROOT, "round %d of %d: A%n", round, rounds);
      collect(run(a, jmh), scoresA);
      System.err.printf(Locale.ROOT, "round %d of %d: B%n", round, rounds);
      collect(run(b, jmh), scoresB);
    }
    System.out.println(table(scoresA, scoresB, rounds));
  }

  /** Runs JMH from {@code jar} in a JVM of its own; returns its CSV results. */
  private static List<String> run(Path jar, List<String> jmh) throws IOException,
      InterruptedException {
    Path csv = Files.createTempFile("compare", ".csv");
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String flags = System.getenv().getOrDefault("MW_JVM_FLAGS", "");
      for (String f : flags.split(" ", -1)) {
        if (!f.isBlank()) {
          command.add(f);
        }
      }
      command.addAll(List.of("-jar", jar.toString(), "jmh"));
      command.addAll(jmh);
      command.addAll(List.of("-rf", "csv", "-rff", csv.toString()));
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      int exit = p.waitFor();
      if (exit != 0) {
        throw new IllegalStateException("JMH from " + jar + " exited with " + exit
            + " (run it by hand: " + String.join(" ", command) + ")");
      }
      return Files.readAllLines(csv);
    } finally {
      Files.deleteIfExists(csv);
    }
  }

  /** JMH's CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error","Unit",params… */
  private static void collect(List<String> csv, Map<Key, List<Double>> into) {
    if (csv.isEmpty()) {
      return;
    }
    List<String> header = fields(csv.get(0));
    for (String line : csv.subList(1, csv.size())) {
      List<String> f = fields(line);
      StringBuilder params = new StringBuilder();
      for (int i = 7; i < f.size() && i < header.size(); i++) {
        if (!f.get(i).isEmpty()) {
          params.append(header.get(i).replace("Param: ", "")).append('=').append(f.get(i))
              .append(' ');
        }
      }
      String name = f.get(0);
      int colon = name.indexOf(':');
      String benchmark = colon < 0 ? name : name.substring(0, colon);
      String metric = colon < 0 ? f.get(1) : name.substring(colon + 1);
      if (metric.startsWith("·")) {
        metric = metric.substring(1);
      }
      if (colon >= 0 && !metric.equals("gc.alloc.rate.norm")
          && !metric.startsWith("p0.") && !metric.startsWith("p1")) {
        continue; // of the profilers' figures, allocation per operation and percentiles
      }
      double score = Double.parseDouble(f.get(4));
      into.computeIfAbsent(new Key(shortName(benchmark), params.toString().trim(), metric,
          f.get(6)), k -> new ArrayList<>()).add(score);
    }
  }

  private static String shortName(String benchmark) {
    String[] parts = benchmark.split("\\.", -1);
    return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  static String table(Map<Key, List<Double>> a, Map<Key, List<Double>> b, int rounds) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%n| benchmark | params | metric | A (median) | B (median) | B÷A | 95%% CI | rounds |%n"
            + "|---|---|---|---|---|---|---|---|%n"));
    for (Map.Entry<Key, List<Double>> e : a.entrySet()) {
      List<Double> as = e.getValue();
      List<Double> bs = b.get(e.getKey());
      if (bs == null) {
        continue;
      }
      int n = Math.min(as.size(), bs.size());
      double[] logs = new double[n];
      for (int i = 0; i < n; i++) {
        logs[i] = Math.log(bs.get(i) / as.get(i));
      }
      double mean = mean(logs);
      String ci = "—";
      if (n > 1) {
        double sd = Math.sqrt(variance(logs, mean));
        double t = new TDistribution(n - 1).inverseCumulativeProbability(0.975);
        double half = t * sd / Math.sqrt(n);
        ci = String.format(Locale.ROOT, "%.3f–%.3f", Math.exp(mean - half),
            Math.exp(mean + half));
      }
      Key k = e.getKey();
      out.append(String.format(Locale.ROOT, "| %s | %s | %s (%s) | %.4g | %.4g | %.3f | %s | %d |%n",
          k.benchmark(), k.params(), k.metric(), k.unit(), median(as), median(bs),
          Math.exp(mean), ci, n));
    }
    return out.toString();
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double variance(double[] v, double mean) {
    double s = 0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return s / (v.length - 1);
  }

  private static double median(List<Double> v) {
    List<Double> sorted = new ArrayList<>(v);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
