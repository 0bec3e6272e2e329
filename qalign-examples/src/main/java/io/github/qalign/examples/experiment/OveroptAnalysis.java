package io.github.qalign.examples.experiment;

import io.github.qalign.select.Budgets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pre-registered analysis of docs/overoptimization-design.md: per (method, budget) the mean over prompts of the
 * per-prompt mean over seeds, with paired bootstrap intervals ({@link PairedBootstrap}); matched-compute comparisons
 * of QAlign-MBR with every other method; the three primary hypotheses with Holm-Bonferroni adjusted p-values.
 *
 * @param points      every (method, budget) point, methods in {@link OveroptMethod} order, budgets increasing
 * @param comparisons QAlign-MBR at each budget vs every other method at its nearest-compute budget
 * @param primary     H1, H2, H3 (H2 absent when the run has no budget {@value #H2_REFERENCE_BUDGET})
 * @param prompts     prompts with at least one unit
 * @param units       units analysed
 * @param acceptance  pooled QAlign acceptance rate over the run's chains
 * @param baseGold    mean gold of all independent samples
 * @param chainGold   mean gold of all QAlign chain states
 * @param acceptanceBySeed QAlign acceptance rate per seed
 * @param h1Discordance fraction of units on which H1's two answers differ in gold (the power calculation's input)
 * @param resamples   bootstrap resamples behind every interval and p-value (a p-value of 0 means "below 1/resamples")
 */
public record OveroptAnalysis(List<Point> points, List<Comparison> comparisons, List<Comparison> primary,
                              int prompts, int units, double acceptance, double baseGold, double chainGold,
                              Map<Long, Double> acceptanceBySeed, double h1Discordance, int resamples) {

    /** H2's reference budget: BoN at the largest budget is compared with BoN at this one. */
    public static final int H2_REFERENCE_BUDGET = 16;

    public OveroptAnalysis {
        points = List.copyOf(points);
        comparisons = List.copyOf(comparisons);
        primary = List.copyOf(primary);
        acceptanceBySeed = java.util.Collections.unmodifiableMap(new TreeMap<>(acceptanceBySeed));
    }

    /**
     * One method at one budget.
     *
     * @param method   the method
     * @param budget   samples or states per unit
     * @param gold     gold rate, with interval
     * @param reward   proxy reward of the chosen answer, with interval
     * @param joy      fraction of chosen answers with a joy word (proxy-good)
     * @param flops    mean FLOPs per unit
     * @param lmTokens mean policy tokens per unit
     */
    public record Point(OveroptMethod method, int budget, PairedBootstrap.Interval gold,
                        PairedBootstrap.Interval reward, double joy, double flops, double lmTokens) {
    }

    /**
     * A paired comparison {@code a - b}.
     *
     * @param name       what is compared
     * @param a          the first point
     * @param b          the second point
     * @param gold       gold difference with interval and p-value
     * @param reward     proxy-reward difference with interval and p-value
     * @param adjustedP  Holm-adjusted p-value (primary hypotheses only; else the raw gold p-value)
     */
    public record Comparison(String name, Point a, Point b, PairedBootstrap.Interval gold,
                             PairedBootstrap.Interval reward, double adjustedP) {
    }

    /**
     * Analyses the finished units.
     *
     * @param units     the units (any subset of a run; every unit must have the same budgets and methods)
     * @param resamples bootstrap resamples
     * @param seed      bootstrap seed
     * @return the analysis
     */
    public static OveroptAnalysis of(List<UnitResult> units, int resamples, long seed) {
        Objects.requireNonNull(units, "units");
        if (units.isEmpty()) {
            throw new IllegalArgumentException("no units to analyse");
        }
        Map<Integer, List<UnitResult>> byPrompt = new TreeMap<>();
        for (UnitResult u : units) {
            byPrompt.computeIfAbsent(u.promptIndex(), k -> new ArrayList<>()).add(u);
        }
        int nb = units.get(0).curves().get(OveroptMethod.BON.key()).gold().size();
        int p = byPrompt.size();
        PairedBootstrap boot = new PairedBootstrap(p, resamples, seed);
        Map<OveroptMethod, double[][][]> values = new EnumMap<>(OveroptMethod.class); // [stat][budget][prompt]
        for (OveroptMethod m : OveroptMethod.values()) {
            double[][][] v = new double[5][nb][p];
            int pi = 0;
            for (List<UnitResult> us : byPrompt.values()) {
                for (UnitResult u : us) {
                    UnitResult.Curve c = u.curves().get(m.key());
                    if (c == null || c.gold().size() != nb) {
                        throw new IllegalArgumentException("unit (prompt " + u.promptIndex() + ", seed " + u.seed()
                                + ") lacks method " + m.key() + " or has another number of budgets");
                    }
                    for (int k = 0; k < nb; k++) {
                        v[0][k][pi] += c.gold().get(k) / us.size();
                        v[1][k][pi] += c.reward().get(k) / us.size();
                        v[2][k][pi] += c.joy().get(k) / us.size();
                        v[3][k][pi] += c.flops().get(k) / us.size();
                        v[4][k][pi] += c.lmTokens().get(k) / us.size();
                    }
                }
                pi++;
            }
            values.put(m, v);
        }
        int maxBudget = units.get(0).chainSteps() + 1;
        int[] budgets = Budgets.powersOfTwo(maxBudget);
        if (budgets.length != nb) {
            throw new IllegalArgumentException("units hold " + nb + " budgets but their chains imply "
                    + budgets.length);
        }
        Map<OveroptMethod, Point[]> pts = new EnumMap<>(OveroptMethod.class);
        List<Point> points = new ArrayList<>();
        for (OveroptMethod m : OveroptMethod.values()) {
            double[][][] v = values.get(m);
            Point[] row = new Point[nb];
            for (int k = 0; k < nb; k++) {
                row[k] = new Point(m, budgets[k], boot.mean(v[0][k]), boot.mean(v[1][k]), avg(v[2][k]),
                        avg(v[3][k]), avg(v[4][k]));
                points.add(row[k]);
            }
            pts.put(m, row);
        }
        List<Comparison> comparisons = new ArrayList<>();
        for (int k = 0; k < nb; k++) {
            for (OveroptMethod m : OveroptMethod.values()) {
                if (m == OveroptMethod.QALIGN_MBR) {
                    continue;
                }
                int k2 = nearest(pts.get(m), pts.get(OveroptMethod.QALIGN_MBR)[k].flops());
                comparisons.add(compare("QAlign-MBR@" + budgets[k] + " vs " + m.label() + "@" + budgets[k2]
                        + " (matched compute)", values, OveroptMethod.QALIGN_MBR, k, m, k2, pts, boot));
            }
        }
        List<Comparison> primary = new ArrayList<>();
        int last = nb - 1;
        int kb = nearest(pts.get(OveroptMethod.BON), pts.get(OveroptMethod.QALIGN_MBR)[last].flops());
        primary.add(compare("H1: QAlign-MBR@" + budgets[last] + " - BoN@" + budgets[kb] + " (matched compute)",
                values, OveroptMethod.QALIGN_MBR, last, OveroptMethod.BON, kb, pts, boot));
        int ref = Arrays.binarySearch(budgets, H2_REFERENCE_BUDGET);
        if (ref >= 0 && ref < last) {
            primary.add(compare("H2: BoN@" + budgets[last] + " - BoN@" + H2_REFERENCE_BUDGET, values,
                    OveroptMethod.BON, last, OveroptMethod.BON, ref, pts, boot));
        }
        int ks = nearest(pts.get(OveroptMethod.SR_BON), pts.get(OveroptMethod.QALIGN_MBR)[last].flops());
        primary.add(compare("H3: QAlign-MBR@" + budgets[last] + " - SR-BoN@" + budgets[ks] + " (matched compute)",
                values, OveroptMethod.QALIGN_MBR, last, OveroptMethod.SR_BON, ks, pts, boot));
        primary = holm(primary);
        double acc = units.stream().mapToDouble(UnitResult::chainAccepted).sum()
                / Math.max(1, units.stream().mapToDouble(UnitResult::chainSteps).sum());
        double base = units.stream().mapToDouble(UnitResult::baseGold).average().orElse(Double.NaN);
        double chain = units.stream().mapToDouble(UnitResult::chainGold).average().orElse(Double.NaN);
        Map<Long, Double> bySeed = new TreeMap<>();
        Map<Long, double[]> counts = new TreeMap<>();
        for (UnitResult u : units) {
            double[] c = counts.computeIfAbsent(u.seed(), k -> new double[2]);
            c[0] += u.chainAccepted();
            c[1] += u.chainSteps();
        }
        counts.forEach((k, c) -> bySeed.put(k, c[0] / Math.max(1, c[1])));
        int discordant = 0;
        for (UnitResult u : units) {
            if (!u.curves().get(OveroptMethod.QALIGN_MBR.key()).gold().get(last)
                    .equals(u.curves().get(OveroptMethod.BON.key()).gold().get(kb))) {
                discordant++;
            }
        }
        return new OveroptAnalysis(points, comparisons, primary, p, units.size(), acc, base, chain, bySeed,
                (double) discordant / units.size(), resamples);
    }

    /** Holm-Bonferroni step-down adjustment of the gold p-values, in the given order. */
    static List<Comparison> holm(List<Comparison> cs) {
        int m = cs.size();
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> cs.get(i).gold().pValue()));
        double[] adj = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++) {
            int i = order[r];
            running = Math.max(running, Math.min(1.0, (m - r) * cs.get(i).gold().pValue()));
            adj[i] = running;
        }
        List<Comparison> out = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            Comparison c = cs.get(i);
            out.add(new Comparison(c.name(), c.a(), c.b(), c.gold(), c.reward(), adj[i]));
        }
        return out;
    }

    private static Comparison compare(String name, Map<OveroptMethod, double[][][]> values, OveroptMethod a, int ka,
                                      OveroptMethod b, int kb, Map<OveroptMethod, Point[]> pts,
                                      PairedBootstrap boot) {
        PairedBootstrap.Interval g = boot.difference(values.get(a)[0][ka], values.get(b)[0][kb]);
        PairedBootstrap.Interval r = boot.difference(values.get(a)[1][ka], values.get(b)[1][kb]);
        return new Comparison(name, pts.get(a)[ka], pts.get(b)[kb], g, r, g.pValue());
    }

    /** The index of the point whose FLOPs are nearest to {@code flops} in log scale (ties: the smaller budget). */
    static int nearest(Point[] row, double flops) {
        int best = 0;
        for (int k = 1; k < row.length; k++) {
            if (dist(row[k].flops(), flops) < dist(row[best].flops(), flops)) {
                best = k;
            }
        }
        return best;
    }

    private static double dist(double a, double b) {
        return Math.abs(Math.log(Math.max(a, 1)) - Math.log(Math.max(b, 1)));
    }

    private static double avg(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** The points as CSV ({@code \n} line ends). */
    public String pointsCsv() {
        StringBuilder sb = new StringBuilder("method,budget,gold,gold_lo95,gold_hi95,proxy_reward,reward_lo95,"
                + "reward_hi95,joy,flops_per_unit,lm_tokens_per_unit\n");
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6e,%.1f\n",
                    p.method().key(), p.budget(), p.gold().estimate(), p.gold().lo(), p.gold().hi(),
                    p.reward().estimate(), p.reward().lo(), p.reward().hi(), p.joy(), p.flops(), p.lmTokens()));
        }
        return sb.toString();
    }

    /** The primary and matched-compute comparisons as CSV ({@code \n} line ends). */
    public String comparisonsCsv() {
        StringBuilder sb = new StringBuilder("kind,comparison,a_method,a_budget,a_flops,b_method,b_budget,b_flops,"
                + "gold_diff,gold_lo95,gold_hi95,gold_p,gold_p_holm,reward_diff,reward_lo95,reward_hi95\n");
        for (Comparison c : primary) {
            row(sb, "primary", c);
        }
        for (Comparison c : comparisons) {
            row(sb, "matched", c);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String kind, Comparison c) {
        String format = "%s,\"%s\",%s,%d,%.6e,%s,%d,%.6e,%.6f,%.6f,%.6f,%.5f,%.5f,%.6f,%.6f,%.6f\n";
        sb.append(String.format(Locale.ROOT, format, kind, c.name(), c.a().method().key(), c.a().budget(),
                c.a().flops(), c.b().method().key(), c.b().budget(), c.b().flops(), c.gold().estimate(),
                c.gold().lo(), c.gold().hi(), c.gold().pValue(), c.adjustedP(), c.reward().estimate(),
                c.reward().lo(), c.reward().hi()));
    }

    /** A readable report: the table of points, the primary hypotheses, the matched-compute comparisons. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d units over %d prompts; intervals: 95%% paired bootstrap over "
                + "prompts%n", units, prompts));
        sb.append(String.format(Locale.ROOT, "%-11s %6s %17s %22s %6s %11s%n", "method", "budget", "gold % [95%]",
                "proxy r [95%]", "joy %", "FLOPs/unit"));
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "%-11s %6d %5.1f [%4.1f,%5.1f] %6.2f [%6.2f,%6.2f] %6.1f %11.3e%n",
                    p.method().label(), p.budget(), 100 * p.gold().estimate(), 100 * p.gold().lo(),
                    100 * p.gold().hi(), p.reward().estimate(), p.reward().lo(), p.reward().hi(), 100 * p.joy(),
                    p.flops()));
        }
        sb.append(String.format(Locale.ROOT, "base gold rate %.1f%%; QAlign chain-state gold rate %.1f%%; QAlign "
                + "acceptance over the run's chains %.1f%% (per seed %s)%n", 100 * baseGold, 100 * chainGold,
                100 * acceptance, acceptanceBySeed.entrySet().stream().map(e -> String.format(Locale.ROOT,
                        "%d: %.1f%%", e.getKey(), 100 * e.getValue())).toList()));
        sb.append(String.format(Locale.ROOT, "H1's answers differ in gold on %.1f%% of units (the power calculation "
                + "assumed 32-38%% for rates 0.75-0.8)%n", 100 * h1Discordance));
        sb.append("primary hypotheses (gold difference in points, 95% interval, p, Holm-adjusted p):\n");
        for (Comparison c : primary) {
            sb.append(line(c)).append(", Holm p ").append(formatP(c.adjustedP(), resamples)).append('\n');
        }
        sb.append("matched compute (descriptive, unadjusted):\n");
        for (Comparison c : comparisons) {
            sb.append(line(c)).append('\n');
        }
        return sb.toString();
    }

    private String line(Comparison c) {
        return String.format(Locale.ROOT, "  %-58s %+6.1f [%+6.1f, %+6.1f] p %s (proxy r %+.2f)", c.name(),
                100 * c.gold().estimate(), 100 * c.gold().lo(), 100 * c.gold().hi(),
                formatP(c.gold().pValue(), resamples), c.reward().estimate());
    }

    /**
     * A bootstrap p-value for the console: four decimals, or {@code <1/B} when no resample fell on the other side of
     * 0 (a bootstrap with B resamples cannot resolve smaller p-values, so "0.0000" would overstate it).
     */
    static String formatP(double p, int resamples) {
        if (p == 0) {
            return "<" + java.math.BigDecimal.ONE.divide(java.math.BigDecimal.valueOf(resamples),
                    new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.4f", p);
    }
}
