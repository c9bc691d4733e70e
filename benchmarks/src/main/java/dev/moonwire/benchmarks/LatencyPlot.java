package dev.moonwire.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/**
 * A latency percentile plot as HdrHistogram draws them: one line per system, the percentile on
 * a log axis of 1/(1−p) (so p50, p90, p99, p99.9 and p99.99 are equally spaced), the latency
 * on a log axis in microseconds. Made from the sample-time benchmarks of one JMH run.
 */
final class LatencyPlot {
  /** The percentiles drawn, as JMH names them. */
  static final List<Double> PERCENTILES = List.of(50.0, 90.0, 99.0, 99.9, 99.99);

  private LatencyPlot() {}

  /** Writes the plot of {@code results}' sample-time benchmarks to {@code png}; false if none. */
  static boolean write(Collection<RunResult> results, Path png) throws IOException {
    XYSeriesCollection lines = new XYSeriesCollection();
    for (RunResult r : results) {
      if (r.getParams().getMode() != Mode.SampleTime) {
        continue;
      }
      String name = r.getParams().getBenchmark().replaceFirst(".*\\.benchmarks\\.", "");
      String payload = r.getParams().getParam("payload");
      XYSeries line = new XYSeries(name + (payload == null ? "" : " " + payload + " B"));
      Statistics stats = r.getPrimaryResult().getStatistics();
      for (double p : PERCENTILES) {
        line.add(1 / (1 - p / 100), stats.getPercentile(p));
      }
      lines.addSeries(line);
    }
    if (lines.getSeriesCount() == 0) {
      return false;
    }
    LogAxis percentile = new LogAxis("percentile");
    percentile.setTickUnit(new NumberTickUnit(1));
    percentile.setNumberFormatOverride(new PercentileFormat());
    LogAxis micros = new LogAxis("round trip, µs (log)");
    micros.setSmallestValue(1);
    micros.setNumberFormatOverride(java.text.NumberFormat.getNumberInstance(Locale.ROOT));
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < lines.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(lines, percentile, micros, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart("Round-trip latency by percentile, one call in flight",
        JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    Files.createDirectories(png.toAbsolutePath().getParent());
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 620);
    return true;
  }

  /** Labels the 1/(1−p) axis with the percentile it stands for: 2 → p50, 10 → p90, … */
  private static final class PercentileFormat extends java.text.NumberFormat {
    @Override
    public StringBuffer format(double x, StringBuffer to, java.text.FieldPosition pos) {
      double p = 100 * (1 - 1 / x);
      String text = x < 1.5 ? "" : "p" + new java.math.BigDecimal(p)
          .round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
      return to.append(text);
    }

    @Override
    public StringBuffer format(long x, StringBuffer to, java.text.FieldPosition pos) {
      return format((double) x, to, pos);
    }

    @Override
    public Number parse(String source, java.text.ParsePosition pos) {
      throw new UnsupportedOperationException("labels only");
    }
  }
}
