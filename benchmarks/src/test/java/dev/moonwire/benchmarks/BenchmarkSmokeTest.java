package dev.moonwire.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

/**
 * Runs every benchmark for one short iteration so the suite never rots. Asserts only that each
 * ran and measured something — never how fast.
 */
class BenchmarkSmokeTest {
  @Test
  void everyBenchmark_runsAndMeasures() throws Exception {
    Collection<RunResult> results = BenchmarkSuite.run(true);

    List<BenchmarkSuite.Row> rows = BenchmarkSuite.rows(results);
    assertEquals(16, rows.size(), rows.toString());
    for (BenchmarkSuite.Row row : rows) {
      assertTrue(row.score() > 0, row.toString());
    }
    String table = BenchmarkSuite.table(results);
    assertTrue(table.contains("MoonwireBench.asyncThroughput"), table);

    java.nio.file.Path png = java.nio.file.Path.of("target", "latency-smoke.png");
    assertTrue(LatencyPlot.write(results, png), "no sample-time benchmark to plot");
    byte[] head = java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(png), 4);
    assertTrue(head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "not a PNG");
  }
}
