package io.github.qalign.examples.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.None;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The over-optimization figure (the paper's Figure 2 in miniature): gold % and proxy reward of the chosen answer
 * against log10 FLOPs per unit, one line per {@link OveroptMethod} with its own colour, marker and dash pattern, a
 * shaded 95% paired-bootstrap band around the lines of the primary comparisons (QAlign-MBR, BoN, SR-BoN; seven
 * overlapping bands would hide each other, and every interval is in the CSV), and the budget written next to the
 * points of those three (every other method shares the compute of one of them). Methods sharing compute are drawn
 * {@link #DODGE} decades apart so no line hides another; a method whose gold line equals an earlier one at every
 * budget is labelled "(= X at every budget)".
 */
public final class OveroptPlot {

    /** Horizontal offset, in decades of FLOPs, between methods that share their compute. */
    public static final double DODGE = 0.012;

    private static final Color[] COLORS = {new Color(0xD62728), new Color(0xFF7F0E), new Color(0x1F77B4),
        new Color(0x9467BD), new Color(0x2CA02C), new Color(0x8C564B), new Color(0x17BECF)};

    private OveroptPlot() {
    }

    /**
     * Writes the two-panel PNG.
     *
     * @param a     the analysis
     * @param title the figure title
     * @param file  the output file (".png" added if missing)
     */
    public static void writePng(OveroptAnalysis a, String title, Path file) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart gold = chart(title, "gold: % of answers that are cheerful (band: 95% bootstrap)");
        XYChart proxy = chart("proxy reward of the chosen answer (methods sharing compute drawn " + DODGE
                + " decades apart)", "proxy reward (band: 95% bootstrap)");
        for (OveroptMethod m : OveroptMethod.values()) {
            List<OveroptAnalysis.Point> pts = a.points().stream().filter(p -> p.method() == m).toList();
            if (pts.isEmpty()) {
                continue;
            }
            double dx = offset(m);
            double[] x = pts.stream().mapToDouble(p -> Math.log10(Math.max(p.flops(), 1)) + dx).toArray();
            String label = sameAs(a, m).map(o -> m.label() + " (= " + o.label() + " at every budget)")
                    .orElse(m.label());
            add(gold, m, label, x, pts, true);
            add(proxy, m, label, x, pts, false);
        }
        String name = file.toString().endsWith(".png") ? file.toString() : file + ".png";
        try {
            BitmapEncoder.saveBitmap(List.of(gold, proxy), 1, 2, name, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + name + ": " + e.getMessage(), e);
        }
    }

    /** An earlier method whose gold estimates equal {@code m}'s at every budget, if any. */
    static Optional<OveroptMethod> sameAs(OveroptAnalysis a, OveroptMethod m) {
        List<Double> mine = gold(a, m);
        for (OveroptMethod o : OveroptMethod.values()) {
            if (o.ordinal() >= m.ordinal()) {
                break;
            }
            if (!mine.isEmpty() && gold(a, o).equals(mine)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    private static List<Double> gold(OveroptAnalysis a, OveroptMethod m) {
        return a.points().stream().filter(p -> p.method() == m).map(p -> p.gold().estimate()).toList();
    }

    private static double offset(OveroptMethod m) {
        return switch (m) {
            case QALIGN_MBR, SR_BON, BON -> 0;
            case QALIGN_MV -> DODGE;
            case WMV -> DODGE;
            case MV -> 2 * DODGE;
            case MBR -> 3 * DODGE;
        };
    }

    private static void add(XYChart c, OveroptMethod m, String label, double[] x, List<OveroptAnalysis.Point> pts,
                            boolean goldPanel) {
        double scale = goldPanel ? 100 : 1;
        double[] y = pts.stream().mapToDouble(p -> scale * (goldPanel ? p.gold() : p.reward()).estimate()).toArray();
        double[] lo = pts.stream().mapToDouble(p -> scale * (goldPanel ? p.gold() : p.reward()).lo()).toArray();
        double[] hi = pts.stream().mapToDouble(p -> scale * (goldPanel ? p.gold() : p.reward()).hi()).toArray();
        Color col = COLORS[m.ordinal()];
        List<Double> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            bx.add(x[i]);
            by.add(hi[i]);
        }
        for (int i = x.length - 1; i >= 0; i--) {
            bx.add(x[i]);
            by.add(lo[i]);
        }
        boolean primary = m == OveroptMethod.QALIGN_MBR || m == OveroptMethod.BON || m == OveroptMethod.SR_BON;
        if (primary) {
            band(c, label, col, bx, by);
        }
        XYSeries s = c.addSeries(label, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setLineColor(col);
        s.setMarkerColor(col);
        s.setMarker(marker(m));
        s.setLineStyle(stroke(m));
        if (primary) {
            for (int i = 0; i < x.length; i++) {
                c.addAnnotation(new AnnotationText((m == OveroptMethod.SR_BON ? "s" : m == OveroptMethod.BON ? "n"
                        : "q") + pts.get(i).budget(), x[i], y[i] + (m == OveroptMethod.BON ? -1 : 1)
                        * (goldPanel ? 2.5 : 0.06), false));
            }
        }
    }

    private static void band(XYChart c, String label, Color col, List<Double> bx, List<Double> by) {
        XYSeries band = c.addSeries(label + " 95%", bx, by);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 38));
        band.setLineColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 0));
        band.setMarker(new None());
        band.setShowInLegend(false);
    }

    private static Marker marker(OveroptMethod m) {
        return switch (m) {
            case QALIGN_MBR -> SeriesMarkers.CIRCLE;
            case QALIGN_MV -> SeriesMarkers.OVAL;
            case BON -> SeriesMarkers.SQUARE;
            case WMV -> SeriesMarkers.TRIANGLE_UP;
            case MV -> SeriesMarkers.DIAMOND;
            case MBR -> SeriesMarkers.TRIANGLE_DOWN;
            case SR_BON -> SeriesMarkers.CROSS;
        };
    }

    private static BasicStroke stroke(OveroptMethod m) {
        float w = m == OveroptMethod.QALIGN_MBR ? 3f : 2f;
        return switch (m) {
            case QALIGN_MBR, BON -> new BasicStroke(w);
            case QALIGN_MV -> dashes(w, 6f, 3f);
            case WMV -> dashes(w, 9f, 5f);
            case MV -> dashes(w, 2f, 4f);
            case MBR -> dashes(w, 10f, 4f, 2f, 4f);
            case SR_BON -> dashes(w, 14f, 4f, 2f, 4f, 2f, 4f);
        };
    }

    private static BasicStroke dashes(float width, float... pattern) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, pattern, 0f);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(820).height(560).title(title)
                .xAxisTitle("log10 FLOPs per prompt (policy + RM); q/n/s + budget: QAlign / BoN / SR-BoN")
                .yAxisTitle(yTitle).build();
        Styler st = c.getStyler();
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setDecimalPattern("#0.##");
        st.setMarkerSize(8);
        st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        st.setAnnotationTextFontColor(Color.DARK_GRAY);
        return c;
    }
}
