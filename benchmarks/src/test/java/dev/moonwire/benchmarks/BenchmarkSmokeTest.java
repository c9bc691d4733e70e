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
  }
}
