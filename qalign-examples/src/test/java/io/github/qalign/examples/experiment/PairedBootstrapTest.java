package io.github.qalign.examples.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link PairedBootstrap} against analytic references, and the Holm adjustment of {@link OveroptAnalysis}. */
class PairedBootstrapTest {

    @Test
    void intervalOfAMeanMatchesTheNormalApproximation() {
        // 400 prompts, half 1 and half 0: mean 0.5, standard error sqrt(0.25/400) = 0.025, so the 95% interval is
        // about 0.5 +- 1.96 * 0.025 = [0.451, 0.549]
        double[] x = new double[400];
        for (int i = 0; i < 200; i++) {
            x[i] = 1;
        }
        PairedBootstrap.Interval iv = new PairedBootstrap(400, 20_000, 7).mean(x);
        assertEquals(0.5, iv.estimate(), 1e-12);
        assertEquals(0.451, iv.lo(), 0.006);
        assertEquals(0.549, iv.hi(), 0.006);
    }

    @Test
    void differencesArePaired() {
        // b = a + 0.1 on every prompt, with a noisy: the paired difference is exactly -0.1 in every resample, while
        // each mean on its own has a wide interval
        SplittableRandom rng = new SplittableRandom(3);
        double[] a = new double[50];
        double[] b = new double[50];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextDouble();
            b[i] = a[i] + 0.1;
        }
        PairedBootstrap boot = new PairedBootstrap(50, 2000, 1);
        PairedBootstrap.Interval d = boot.difference(a, b);
        assertEquals(-0.1, d.estimate(), 1e-12);
        assertEquals(-0.1, d.lo(), 1e-12);
        assertEquals(-0.1, d.hi(), 1e-12);
        assertEquals(0.0, d.pValue());
        PairedBootstrap.Interval m = boot.mean(a);
        assertTrue(m.hi() - m.lo() > 0.1, "a single mean's interval is wide: " + m);
        assertEquals(1.0, boot.difference(a, a).pValue(), "no difference: p = 1");
    }

    @Test
    void sameSeedSameIntervalsAndBadInputRejected() {
        double[] x = {0, 1, 1, 0, 1};
        assertEquals(new PairedBootstrap(5, 500, 9).mean(x), new PairedBootstrap(5, 500, 9).mean(x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PairedBootstrap(5, 500, 9).mean(new double[4]));
        assertTrue(e.getMessage().contains("expected 5 per-prompt values, got 4"));
        assertThrows(IllegalArgumentException.class, () -> new PairedBootstrap(0, 500, 9));
    }

    @Test
    void holmAdjustsStepDown() {
        // p = 0.01, 0.04, 0.03 -> sorted 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1, but at least 0.06)
        List<OveroptAnalysis.Comparison> cs = List.of(cmp(0.01), cmp(0.04), cmp(0.03));
        List<OveroptAnalysis.Comparison> adj = OveroptAnalysis.holm(cs);
        assertEquals(0.03, adj.get(0).adjustedP(), 1e-12);
        assertEquals(0.06, adj.get(1).adjustedP(), 1e-12);
        assertEquals(0.06, adj.get(2).adjustedP(), 1e-12);
    }

    private static OveroptAnalysis.Comparison cmp(double p) {
        PairedBootstrap.Interval iv = new PairedBootstrap.Interval(0, 0, 0, p);
        OveroptAnalysis.Point pt = new OveroptAnalysis.Point(OveroptMethod.BON, 1, iv, iv, 0, 1, 1);
        return new OveroptAnalysis.Comparison("c", pt, pt, iv, iv, p);
    }

    @Test
    void pValuesBelowTheBootstrapResolutionAreNotPrintedAsZero() {
        assertEquals("<0.0001", OveroptAnalysis.formatP(0.0, 10_000));
        assertEquals("<0.005", OveroptAnalysis.formatP(0.0, 200));
        assertEquals("0.0432", OveroptAnalysis.formatP(0.04321, 10_000));
        assertEquals("1.0000", OveroptAnalysis.formatP(1.0, 10_000));
    }
}
