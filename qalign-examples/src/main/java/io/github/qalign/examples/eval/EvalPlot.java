package io.github.qalign.examples.eval;

import io.github.qalign.examples.eval.EvalAggregate.Row;
import io.github.qalign.examples.experiment.Method;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 1 (average error rate over the datasets against FLOPs per item, log axis) and Figure 6 (the
 * same, one panel per dataset plus the average) as PNGs. One line per policy and method, each with its own colour,
 * marker and line style, and 95% error bars (1.96 standard errors, clipped to the 0-100% axis); every line stays
 * visible: QAlign drawn thick, the baseline policy's MV black with crosses, and BoN and WMV, which share their
 * compute exactly, drawn {@link #DODGE} decades apart.
 */
public final class EvalPlot {

    /**
     * Horizontal offset, in decades of FLOPs, between BoN and WMV, which spend exactly the same compute (the same
     * samples, rewards included) and would otherwise hide each other.
     */
    public static final double DODGE = 0.01;

    private EvalPlot() {
    }

    private static double dodge(String policy, Method m) {
        if (!policy.equals("policy")) {
            return 0;
        }
        return m == Method.BON ? -DODGE : m == Method.WMV ? DODGE : 0;
    }

    /**
     * Writes Figure 1: the {@value EvalAggregate#AVERAGE} rows.
     *
     * @param rows   the rows of {@link EvalAggregate#rows(List)}
     * @param models the model label of each policy role
     * @param file   the PNG file
     * @throws IllegalArgumentException if there are no average rows
     */
    public static void figure1(List<Row> rows, Map<String, String> models, Path file) {
        List<Row> avg = rows.stream().filter(r -> r.dataset().equals(EvalAggregate.AVERAGE)).toList();
        if (avg.isEmpty()) {
            throw new IllegalArgumentException("no average rows to plot");
        }
        save(List.of(panel("Average error rate over the datasets", avg, models, 900, 600)), 1, 1, file);
    }

    /**
     * Writes Figure 6: one panel per dataset and one for the average, three panels a row.
     *
     * @param rows   the rows of {@link EvalAggregate#rows(List)}
     * @param models the model label of each policy role
     * @param file   the PNG file
     */
    public static void figure6(List<Row> rows, Map<String, String> models, Path file) {
        List<XYChart> charts = new ArrayList<>();
        for (String d : EvalReport.columns(rows)) {
            charts.add(panel(d.equals(EvalAggregate.AVERAGE) ? "Average" : d,
                    rows.stream().filter(r -> r.dataset().equals(d)).toList(), models, 600, 420));
        }
        int cols = Math.min(3, charts.size());
        save(charts, (charts.size() + cols - 1) / cols, cols, file);
    }

    private static XYChart panel(String title, List<Row> rows, Map<String, String> models, int w, int h) {
        XYChart c = new XYChartBuilder().width(w).height(h).title(title)
                .xAxisTitle("FLOPs per item (policy + reward model), log scale; BoN/WMV drawn " + DODGE
                        + " decades apart (same compute)")
                .yAxisTitle("error rate (%), bars: 95% interval").build();
        Styler s = c.getStyler();
        c.getStyler().setXAxisLogarithmic(true);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setMarkerSize(9);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        c.getStyler().setDecimalPattern("#0.#");
        for (String policy : rows.stream().map(Row::policy).distinct().toList()) {
            for (Method m : EvalAggregate.METHOD_ORDER) {
                List<Row> line = rows.stream().filter(r -> r.policy().equals(policy) && r.method() == m)
                        .sorted(java.util.Comparator.comparingInt(Row::budget)).toList();
                if (line.isEmpty()) {
                    continue;
                }
                double shift = Math.pow(10, dodge(policy, m));
                double[] x = line.stream().mapToDouble(r -> Math.max(r.flops(), 1) * shift).toArray();
                double[] y = line.stream().mapToDouble(r -> 100 * r.error()).toArray();
                double[] e = line.stream().mapToDouble(r -> Double.isNaN(r.stdErr()) ? 0 : 196 * r.stdErr())
                        .toArray();
                String label = m.label() + " " + models.getOrDefault(policy, policy);
                style(c.addSeries(label, x, y, e), m, policy.equals("policy"));
            }
        }
        return c;
    }

    private static void style(XYSeries s, Method m, boolean mainPolicy) {
        Color color = !mainPolicy ? Color.BLACK : switch (m) {
            case QALIGN -> new Color(0xD62728);
            case BON -> new Color(0x1F77B4);
            case MV -> new Color(0x2CA02C);
            case WMV -> new Color(0x9467BD);
            case MBR -> new Color(0xFF7F0E);
        };
        Marker marker = !mainPolicy ? SeriesMarkers.CROSS : switch (m) {
            case QALIGN -> SeriesMarkers.CIRCLE;
            case BON -> SeriesMarkers.SQUARE;
            case MV -> SeriesMarkers.DIAMOND;
            case WMV -> SeriesMarkers.TRIANGLE_UP;
            case MBR -> SeriesMarkers.TRIANGLE_DOWN;
        };
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(marker);
        float width = m == Method.QALIGN ? 3f : 2f;
        s.setLineStyle(!mainPolicy ? dashes(width, 12f, 3f, 2f, 3f) : switch (m) {
            case WMV -> dashes(width, 9f, 5f);
            case MV -> dashes(width, 2f, 4f);
            default -> new BasicStroke(width);
        });
    }

    private static BasicStroke dashes(float width, float... pattern) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, pattern, 0f);
    }

    private static void save(List<XYChart> charts, int rows, int cols, Path file) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        String name = file.toString().endsWith(".png") ? file.toString() : file + ".png";
        try {
            BitmapEncoder.saveBitmap(charts, rows, cols, name, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + name + ": " + e.getMessage(), e);
        }
    }
}
