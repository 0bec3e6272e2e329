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
 * per method, next to the proxy reward of the chosen answers against the same axis. WMV is dashed and MV dotted so
 * that a line hidden under another (WMV equals BoN when every answer is unique) stays visible.
 */
public final class SweepPlot {

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
        XYChart gold = chart(title, "gold metric (% of prompts)");
        XYChart proxy = chart("proxy reward of the chosen answer", "reward-model score");
        for (Method m : Method.values()) {
            List<SweepPoint> pts = result.points(m);
            if (pts.isEmpty()) {
                continue;
            }
            double[] x = pts.stream().mapToDouble(SweepPoint::flopsPerPrompt).map(v -> Math.log10(Math.max(v, 1)))
                    .toArray();
            double[] g = pts.stream().mapToDouble(p -> 100 * p.gold()).toArray();
            double[] r = pts.stream().mapToDouble(SweepPoint::proxyReward).toArray();
            style(gold.addSeries(m.label(), x, g), m);
            style(proxy.addSeries(m.label(), x, r), m);
        }
        String name = file.toString().endsWith(".png") ? file.toString() : file + ".png";
        try {
            BitmapEncoder.saveBitmap(List.of(gold, proxy), 1, 2, name, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + name + ": " + e.getMessage(), e);
        }
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(640).height(440).title(title)
                .xAxisTitle("compute per prompt: log10 FLOPs (policy + reward model)").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setDecimalPattern("#0.##");
        return c;
    }

    private static void style(XYSeries s, Method m) {
        s.setLineColor(COLORS[m.ordinal()]);
        s.setMarkerColor(COLORS[m.ordinal()]);
        s.setMarker(SeriesMarkers.CIRCLE);
        float width = m == Method.QALIGN ? 3f : 2f;
        s.setLineStyle(switch (m) {
            case WMV -> new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f},
                    0f);
            case MV -> new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f},
                    0f);
            default -> new BasicStroke(width);
        });
    }
}
