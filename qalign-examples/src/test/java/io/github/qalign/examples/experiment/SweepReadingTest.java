package io.github.qalign.examples.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The demo's closing reading is computed from the numbers: synthetic sweeps with known rates give the expected
 * verdicts, and changing a number changes the words.
 */
class SweepReadingTest {

    private static final int[] BUDGETS = {1, 2, 4, 8, 16};

    /** Binary gold scores: standard error of a rate p over n prompts, sqrt(p(1-p)/(n-1)) as the sweep computes it. */
    private static double se(double p, int n) {
        return Math.sqrt(p * (1 - p) * n / (n - 1.0) / n);
    }

    /** A method's points: gold rates per budget, proxy rewards per budget, compute doubling per budget. */
    private static List<SweepPoint> points(Method m, int n, double[] gold, double[] proxy, double flops0) {
        List<SweepPoint> pts = new ArrayList<>();
        for (int i = 0; i < BUDGETS.length; i++) {
            pts.add(new SweepPoint(m, BUDGETS[i], n, gold[i], se(gold[i], n), proxy[i], 100, 50,
                    flops0 * BUDGETS[i]));
        }
        return pts;
    }

    private static SweepResult result(int n, List<List<SweepPoint>> methods) {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add("p" + i);
        }
        List<SweepPoint> all = new ArrayList<>();
        EnumSet<Method> ms = EnumSet.noneOf(Method.class);
        for (List<SweepPoint> m : methods) {
            all.addAll(m);
            ms.add(m.get(0).method());
        }
        SweepConfig config = SweepConfig.builder().prompts(prompts).methods(ms).maxBudget(16).beta(0.25).build();
        return new SweepResult(config, all, OptionalDouble.of(0.2), OptionalDouble.of(0.6), OptionalDouble.of(0.4),
                1.0);
    }

    private static final double[] FLAT = {0.25, 0.25, 0.25, 0.25, 0.25};
    private static final double[] RISING = {0.25, 0.35, 0.5, 0.6, 0.7};
    private static final double[] PROXY_UP = {-1, 0, 1, 2, 3};

    @Test
    void aLargeRiseOnManyPromptsIsClearAndAFlatVoteIsExplained() {
        SweepResult r = result(256, List.of(
                points(Method.QALIGN, 256, RISING, PROXY_UP, 1e8),
                points(Method.MV, 256, FLAT, new double[] {-0.8, -0.8, -0.8, -0.8, -0.8}, 1e8)));
        String text = SweepReading.read(r, true);
        assertThat(flat(text)).contains("256 prompts", "one prompt moves a rate by 0.4 points",
                "QAlign: gold 25.0% at budget 1 -> 70.0% at budget 16 (+45.0", "rose clearly",
                "MV: gold 25.0% at budget 1 -> 25.0% at budget 16 (+0.0", "no change",
                "Its choice never changed with the budget",
                "the gold metric rose clearly with the budget for QAlign.",
                "At matched compute QAlign was clearly ahead of MV",
                "./qalign sweep", "docs/results.md");
    }

    @Test
    void theSameRiseOnSixteenPromptsIsWithinNoise() {
        double[] smallRise = {0.25, 0.25, 0.3125, 0.375, 0.4375};
        SweepResult r = result(16, List.of(points(Method.QALIGN, 16, smallRise, PROXY_UP, 1e8),
                points(Method.BON, 16, RISING, PROXY_UP, 1.1e8)));
        String text = flat(SweepReading.read(r, true));
        assertThat(text).contains("16 prompts, so one prompt moves a rate by 6.3 points",
                "standard error of a rate near 50% is 12.5 points", "about 35 points",
                "QAlign: gold 25.0% at budget 1 -> 43.8% at budget 16 (+18.8", "rose, but within noise",
                "BoN: gold 25.0% at budget 1 -> 70.0% at budget 16 (+45.0", "rose clearly",
                "Against BoN the difference is within noise: 16 prompts cannot rank them");
        // matched compute: QAlign at 16 (1.6e9) is nearest BoN at 16 (1.76e9), not BoN at 8 (8.8e8)
        assertThat(text).contains("vs BoN at budget 16");
        // nothing is said to have risen clearly for QAlign
        assertThat(text).doesNotContain("rose clearly with the budget for QAlign");
    }

    @Test
    void proxyUpGoldDownIsCalledOverOptimization() {
        double[] falling = {0.6, 0.5, 0.4, 0.2, 0.1};
        SweepResult r = result(128, List.of(points(Method.BON, 128, falling, PROXY_UP, 1e8)));
        String text = flat(SweepReading.read(r, false));
        assertThat(text).contains("BoN: gold 60.0% at budget 1 -> 10.0% at budget 16 (-50.0", "fell clearly",
                "over-optimization", "no method's gold metric rose clearly");
        assertThat(text).doesNotContain("./qalign sweep");
    }

    @Test
    void identicalLinesAreNamedAndNotReadTwice() {
        SweepResult r = result(16, List.of(points(Method.BON, 16, RISING, PROXY_UP, 1e8),
                points(Method.WMV, 16, RISING, PROXY_UP, 1e8)));
        assertThat(SweepReading.sameAs(r, Method.WMV)).contains(Method.BON);
        assertThat(SweepReading.sameAs(r, Method.BON)).isEmpty();
        String text = flat(SweepReading.read(r, true));
        assertThat(text).contains("WMV: identical to BoN at every budget");
        assertThat(text).doesNotContain("WMV: gold");
        // one differing proxy value and they are two lines again
        double[] proxy = PROXY_UP.clone();
        proxy[4] = 2.5;
        SweepResult r2 = result(16, List.of(points(Method.BON, 16, RISING, PROXY_UP, 1e8),
                points(Method.WMV, 16, RISING, proxy, 1e8)));
        assertThat(SweepReading.sameAs(r2, Method.WMV)).isEmpty();
        assertThat(flat(SweepReading.read(r2, true))).contains("WMV: gold 25.0%");
    }

    @Test
    void linesAreWrappedForAConsole() {
        SweepResult r = result(16, List.of(points(Method.QALIGN, 16, RISING, PROXY_UP, 1e8)));
        assertThat(SweepReading.read(r, true).lines()).allSatisfy(l ->
                assertThat(l.length()).isLessThanOrEqualTo(SweepReading.WIDTH));
        assertThat(SweepReading.wrap("- aaa bbb ccc", 8)).isEqualTo("- aaa\n  bbb\n  ccc\n");
    }

    private static String flat(String s) {
        return s.replaceAll("\\s+", " ");
    }

    @Test
    void errorBarsNeverCollapseToZeroWidth() {
        // 0 of 16 prompts: the sample standard error is 0, the bar uses Agresti-Coull: q = 2/20, sqrt(q(1-q)/20)
        SweepPoint zero = new SweepPoint(Method.MBR, 16, 16, 0.0, 0.0, -2, 100, 50, 1e9);
        assertThat(SweepPlot.halfWidth95(zero)).isCloseTo(1.96 * Math.sqrt(0.1 * 0.9 / 20), within(1e-12));
        // 8 of 16: the sample standard error (0.129) is larger and is used
        SweepPoint half = new SweepPoint(Method.BON, 16, 16, 0.5, se(0.5, 16), 0, 100, 50, 1e9);
        assertThat(SweepPlot.halfWidth95(half)).isCloseTo(1.96 * se(0.5, 16), within(1e-12));
    }

    @Test
    void aFallToZeroOnFewPromptsIsNotTakenAsCertain() {
        // 4 of 16 -> 0 of 16: with the sample standard errors (0.112 and 0) the fall would be 2.2 SE, "clear";
        // with 0% floored at Agresti-Coull (0.067) it is 1.9 SE
        double[] toZero = {0.25, 0.25, 0.1875, 0.1875, 0.0};
        SweepResult r = result(16, List.of(points(Method.MBR, 16, toZero, new double[] {-1, -1, -1, -1, -2}, 1e8)));
        String text = flat(SweepReading.read(r, true));
        assertThat(text).contains("MBR: gold 25.0% at budget 1 -> 0.0% at budget 16 (-25.0 +- 13.0 points): fell, "
                + "but within noise");
        // the same fall on 256 prompts is clear
        SweepResult big = result(256, List.of(points(Method.MBR, 256, toZero, new double[] {-1, -1, -1, -1, -2},
                1e8)));
        assertThat(flat(SweepReading.read(big, true))).contains("fell clearly");
    }
}
