package io.github.qalign.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EffectiveSampleSizeTest {

    /** Stationary AR(1): x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t; its autocorrelation time is (1+phi)/(1-phi). */
    static double[] ar1(double phi, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        x[0] = r.nextGaussian();
        double s = Math.sqrt(1 - phi * phi);
        for (int t = 1; t < n; t++) {
            x[t] = phi * x[t - 1] + s * r.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest(name = "phi={0}")
    @CsvSource({"0.0, 5", "0.5, 7", "0.9, 15", "-0.5, 7"})
    void ar1EssMatchesTheAnalyticValue(double phi, double tolerancePercent) {
        int n = 200_000;
        double tau = (1 + phi) / (1 - phi);
        double ess = EffectiveSampleSize.geyer(ar1(phi, n, 17));
        assertThat(ess).isCloseTo(n / tau, Percentage.withPercentage(tolerancePercent));
        assertThat(EffectiveSampleSize.autocorrelationTime(ar1(phi, n, 18)))
                .isCloseTo(tau, Percentage.withPercentage(tolerancePercent));
    }

    @Test
    void essIsScaleInvariantAndNeverNaNForExtremeValues() {
        double[] x = ar1(0.5, 2_000, 5);
        double ess = EffectiveSampleSize.geyer(x);
        for (double scale : new double[] {1e300, 1e-300, 0x1p100}) {
            double[] y = java.util.Arrays.stream(x).map(v -> v * scale).toArray();
            assertThat(EffectiveSampleSize.geyer(y)).as("scale %s", scale)
                    .isCloseTo(ess, Percentage.withPercentage(1e-6));
        }
        double[] alt = new double[100];
        for (int i = 0; i < alt.length; i++) {
            alt[i] = i % 2 == 0 ? 1e200 : -1e200;
        }
        double[] unitAlt = java.util.Arrays.stream(alt).map(v -> Math.signum(v)).toArray();
        assertThat(EffectiveSampleSize.geyer(alt)).isNotNaN().isEqualTo(EffectiveSampleSize.geyer(unitAlt));
        // a large constant offset is still a constant trace
        assertThat(EffectiveSampleSize.geyer(new double[] {1e300, 1e300, 1e300})).isEqualTo(3);
    }

    @Test
    void iidDataHaveEssCloseToN() {
        SplittableRandom r = new SplittableRandom(3);
        double[] x = new double[50_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() < 0.3 ? 1 : 0;
        }
        assertThat(EffectiveSampleSize.geyer(x)).isCloseTo(50_000, Percentage.withPercentage(6));
    }

    @Test
    void edgeCases() {
        assertThat(EffectiveSampleSize.geyer(new double[0])).isZero();
        assertThat(EffectiveSampleSize.geyer(new double[] {4})).isEqualTo(1);
        assertThat(EffectiveSampleSize.geyer(new double[] {2, 2, 2, 2})).isEqualTo(4);
        // perfectly alternating: capped at n log10(n)
        double[] alt = new double[1000];
        for (int i = 0; i < alt.length; i++) {
            alt[i] = i % 2;
        }
        assertThat(EffectiveSampleSize.geyer(alt)).isLessThanOrEqualTo(1000 * 3 + 1e-9);
        assertThatThrownBy(() -> EffectiveSampleSize.geyer(new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[1]");
        assertThatThrownBy(() -> EffectiveSampleSize.geyer(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("x");
        assertThatThrownBy(() -> EffectiveSampleSize.geyer(new double[] {Double.POSITIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x[0]");
    }

    /** The FFT implementation reproduces the former lag-by-lag one (kept in test sources) on stationary traces. */
    @ParameterizedTest(name = "phi={0}, n={1}")
    @CsvSource({"0.0, 1000", "0.5, 5000", "0.9, 20000", "0.99, 20000", "-0.5, 3000", "0.7, 1", "0.7, 2", "0.7, 3",
            "0.7, 17", "0.3, 1023", "0.3, 1024", "0.3, 1025"})
    void fftEqualsTheQuadraticReference(double phi, int n) {
        for (long seed = 1; seed <= 5; seed++) {
            double[] x = ar1(phi, n, seed);
            double ref = EffectiveSampleSizeReference.autocorrelationTime(x);
            assertThat(EffectiveSampleSize.autocorrelationTime(x)).as("seed %d", seed)
                    .isCloseTo(ref, org.assertj.core.api.Assertions.within(1e-9 * ref));
        }
        SplittableRandom r = new SplittableRandom(n);
        double[] bits = new double[n];
        for (int i = 0; i < n; i++) {
            bits[i] = r.nextDouble() < 0.2 ? 1 : 0; // a 0/1 indicator trace, as the sampler tests use
        }
        double ref = EffectiveSampleSizeReference.geyer(bits);
        assertThat(EffectiveSampleSize.geyer(bits)).isCloseTo(ref, org.assertj.core.api.Assertions.within(1e-9 * ref));
    }

    @Test
    void fftAutocovariancesEqualDirectSums() {
        double[] d = ar1(0.8, 777, 9);
        double[] acov = EffectiveSampleSize.autocovariances(d);
        for (int lag : new int[] {0, 1, 2, 50, 400, 776}) {
            double s = 0;
            for (int i = 0; i + lag < d.length; i++) {
                s += d[i] * d[i + lag];
            }
            assertThat(acov[lag]).as("lag %d", lag).isCloseTo(s / d.length,
                    org.assertj.core.api.Assertions.within(1e-12 * acov[0]));
        }
    }

    /** A drifting trace: every autocorrelation stays positive; the old code took 57 s at 1e6 steps. */
    @Test
    void driftingTraceOfOneMillionStepsGivesASmallPositiveEss() {
        SplittableRandom r = new SplittableRandom(4);
        double[] x = new double[1_000_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 1e-5 + r.nextGaussian();
        }
        // correctness only (timings live in the benchmark): the ESS is far below n and positive
        double ess = EffectiveSampleSize.geyer(x);
        assertThat(ess).isPositive().isLessThan(1000);
    }
}
