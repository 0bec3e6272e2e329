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
}
