package io.github.qalign.examples.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Plots a sweep like the paper's Figure 2: the gold metric against compute (log10 of FLOPs per prompt), one line
 * per method with 95% error bars ({@link #halfWidth95(SweepPoint)}), next to the proxy reward of the chosen answers
 * against the same axis.
 *
 * <p>Every line stays visible: each method has its own colour, marker and line style (QAlign solid and thick, BoN
 * solid, MV dotted, WMV dashed, MBR dash-dot); the independent-sample methods, which share their compute, are drawn
 * side by side ({@link #DODGE} decades apart on the x axis, said on the axis title); and a method whose line equals
 * another's at every budget is labelled so in the legend, e.g. "WMV (= BoN at every budget)".
 */
public final class SweepPlot {

    /** Horizontal offset, in decades of FLOPs, between methods that share their compute. */
    public static final double DODGE = 0.012;

    private static final Color[] COLORS = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
        new Color(0x9467BD), new Color(0xFF7F0E)};

    private SweepPlot() {
    }

    /**
     * Writes a PNG with two panels (gold, proxy reward) to {@code file}; the ".png" suffix is added if missing.
     *
     * @param result the sweep
     * @param title  the figure title
     * @param file   the output file
     */
    public static void writePng(SweepResult result, String title, Path file) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart gold = chart(title, "gold metric (% of prompts), bars: 95% interval");
        XYChart proxy = chart("proxy reward of the chosen answer", "reward-model score");
        gold.getStyler().setYAxisMin(0.0);
        gold.getStyler().setYAxisMax(100.0);
        for (Method m : Method.values()) {
            List<SweepPoint> pts = result.points(m);
            if (pts.isEmpty()) {
                continue;
            }
            double dx = m.usesIndependentSamples() ? (m.ordinal() - 2.5) * DODGE : 0;
            double[] x = pts.stream().mapToDouble(SweepPoint::flopsPerPrompt)
                    .map(v -> Math.log10(Math.max(v, 1)) + dx).toArray();
            double[] g = pts.stream().mapToDouble(p -> 100 * p.gold()).toArray();
            double[] e = pts.stream().mapToDouble(p -> 100 * halfWidth95(p)).toArray();
            double[] r = pts.stream().mapToDouble(SweepPoint::proxyReward).toArray();
            String label = SweepReading.sameAs(result, m).map(o -> m.label() + " (= " + o.label()
                    + " at every budget)").orElse(m.label());
            style(gold.addSeries(label, x, g, e), m);
            style(proxy.addSeries(label, x, r), m);
        }
        String name = file.toString().endsWith(".png") ? file.toString() : file + ".png";
        try {
            BitmapEncoder.saveBitmap(List.of(gold, proxy), 1, 2, name, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Half-width of the 95% error bar of a point's gold rate: 1.96 times {@link SweepReading#stdErr(SweepPoint)}
     * (the standard error over prompts, floored at the Agresti–Coull one so that a rate of 0% or 100% over a few
     * prompts still shows its uncertainty instead of a zero-width bar).
     *
     * @param p the point
     * @return the half-width, as a fraction
     */
    public static double halfWidth95(SweepPoint p) {
        return 1.96 * SweepReading.stdErr(p);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(720).height(480).title(title)
                .xAxisTitle("log10 FLOPs per prompt (policy + reward model); BoN/MV/WMV/MBR offset "
                        + DODGE + " apart").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setDecimalPattern("#0.##");
        c.getStyler().setErrorBarsColorSeriesColor(true);
        c.getStyler().setMarkerSize(9);
        return c;
    }

    private static void style(XYSeries s, Method m) {
        s.setLineColor(COLORS[m.ordinal()]);
        s.setMarkerColor(COLORS[m.ordinal()]);
        s.setMarker(switch (m) {
            case QALIGN -> SeriesMarkers.CIRCLE;
            case BON -> SeriesMarkers.SQUARE;
            case MV -> SeriesMarkers.DIAMOND;
            case WMV -> SeriesMarkers.TRIANGLE_UP;
            case MBR -> SeriesMarkers.TRIANGLE_DOWN;
        });
        float width = m == Method.QALIGN ? 3f : 2f;
        s.setLineStyle(switch (m) {
            case WMV -> dashes(width, 9f, 5f);
            case MV -> dashes(width, 2f, 4f);
            case MBR -> dashes(width, 10f, 4f, 2f, 4f);
            default -> new BasicStroke(width);
        });
    }

    private static BasicStroke dashes(float width, float... pattern) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, pattern, 0f);
    }
}
