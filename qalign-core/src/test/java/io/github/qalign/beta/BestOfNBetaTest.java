package io.github.qalign.beta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.qalign.beta.BestOfNBeta.Component;
import io.github.qalign.beta.BestOfNBeta.Dominant;
import io.github.qalign.beta.BestOfNBeta.Estimate;
import io.github.qalign.beta.BestOfNBeta.Mixture;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BestOfNBetaTest {

    private static double[] mixtureSample(int n, double w1, double mu1, double sd1, double mu2, double sd2, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble() < w1 ? mu1 + sd1 * gaussian(rnd) : mu2 + sd2 * gaussian(rnd);
        }
        return x;
    }

    /** Box-Muller from the injected generator. */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Test
    void emRecoversAKnownMixture() {
        double[] x = mixtureSample(20_000, 0.3, -2.0, 0.5, 1.0, 1.0, 42);
        Mixture m = BestOfNBeta.fitMixture(x);
        assertThat(m.lower().weight()).isCloseTo(0.3, within(0.02));
        assertThat(m.lower().mean()).isCloseTo(-2.0, within(0.05));
        assertThat(m.lower().sd()).isCloseTo(0.5, within(0.05));
        assertThat(m.upper().weight()).isCloseTo(0.7, within(0.02));
        assertThat(m.upper().mean()).isCloseTo(1.0, within(0.05));
        assertThat(m.upper().sd()).isCloseTo(1.0, within(0.05));
        assertThat(m.lower().weight() + m.upper().weight()).isCloseTo(1.0, within(1e-12));
        assertThat(m.iterations()).isLessThan(BestOfNBeta.MAX_ITERATIONS);
        assertThat(m.converged()).isTrue();
        assertThat(m.degenerate()).isFalse();
        // the paper's dominant component is the wider one, here the upper one
        assertThat(m.dominant(Dominant.LARGEST_VARIANCE)).isSameAs(m.upper());
    }

    /** Naive reference log-likelihood: direct densities, no log-space tricks. */
    private static double naiveLogLikelihood(double[] x, double[] p) {
        double ll = 0;
        for (double v : x) {
            double d1 = p[0] * Math.exp(-0.5 * Math.pow((v - p[1]) / p[2], 2)) / (p[2] * Math.sqrt(2 * Math.PI));
            double d2 = (1 - p[0]) * Math.exp(-0.5 * Math.pow((v - p[3]) / p[4], 2)) / (p[4] * Math.sqrt(2 * Math.PI));
            ll += Math.log(d1 + d2);
        }
        return ll;
    }

    @Test
    void emFitIsALocalMaximumOfAnIndependentlyComputedLikelihood() {
        double[] x = mixtureSample(3_000, 0.6, 0.0, 2.0, 3.0, 0.7, 7);
        Mixture m = BestOfNBeta.fitMixture(x);
        double[] p = {m.lower().weight(), m.lower().mean(), m.lower().sd(), m.upper().mean(), m.upper().sd()};
        double ll = naiveLogLikelihood(x, p);
        assertThat(m.logLikelihood()).isCloseTo(ll, within(1e-8 * Math.abs(ll)));
        for (int k = 0; k < p.length; k++) {
            for (double eps : new double[] {-1e-3, 1e-3}) {
                double[] q = p.clone();
                q[k] += eps;
                assertThat(naiveLogLikelihood(x, q)).as("parameter %d moved by %s", k, eps).isLessThan(ll);
            }
        }
    }

    @Test
    void betaFormulaAgainstAHandComputedValue() {
        // n_d = 1024: ln n_d = 6.931471805599453, sqrt(2 ln n_d) = 3.723297411,
        // ln ln n_d = 1.936042, ln 4 pi = 2.531024; c = 3.723297 - 4.467066 / 7.446595 = 3.123413
        assertThat(BestOfNBeta.location(1024)).isCloseTo(3.1234129637256856, within(1e-12));
        assertThat(BestOfNBeta.beta(2.0, 1024)).isCloseTo(2.0 / 3.1234129637256856, within(1e-12));
        // n_d = 64: c = 2.198167
        assertThat(BestOfNBeta.beta(1.0, 64)).isCloseTo(0.4549245655353758, within(1e-12));
    }

    @Test
    void estimateUsesTheDominantComponentsWeightAndSd() {
        double[] x = mixtureSample(20_000, 0.25, 5.0, 2.0, 10.0, 0.5, 9); // Ashman's D = 3.4: separated
        Estimate wide = BestOfNBeta.estimate(x, 256);
        assertThat(wide.dominant()).isSameAs(wide.mixture().lower()); // sd 2 beats sd 0.5
        assertThat(wide.effectiveN()).isCloseTo(wide.dominant().weight() * 256, within(1e-9));
        assertThat(wide.beta()).isEqualTo(BestOfNBeta.beta(wide.dominant().sd(), wide.effectiveN()));
        assertThat(wide.effectiveN()).isCloseTo(64, within(4.0));
        assertThat(wide.beta()).isCloseTo(2.0 / BestOfNBeta.location(64), within(0.05));
        Estimate upper = BestOfNBeta.estimate(x, 256, Dominant.LARGEST_MEAN);
        assertThat(upper.dominant()).isSameAs(upper.mixture().upper());
        assertThat(upper.beta()).isCloseTo(0.5 / BestOfNBeta.location(192), within(0.02));
    }

    @Test
    void singleGaussianModeMatchesTheMaximumOfNSamples() {
        // Eq. 17/25: for one Gaussian (w_d = 1) the mode of pi's rewards, mu + sigma^2 / beta*, is the Gumbel location
        // a_n of the best-of-n reward; check against simulated maxima of n = 1024 N(mu, sigma) draws via the Gumbel
        // median a_n - b_n ln ln 2 (b_n = sigma / sqrt(2 ln n)).
        double mu = 3.0;
        double sigma = 0.7;
        int n = 1024;
        double beta = BestOfNBeta.beta(sigma, n);
        double mode = mu + sigma * sigma / beta;
        SplittableRandom rnd = new SplittableRandom(2024);
        int trials = 2000;
        double[] maxima = new double[trials];
        for (int t = 0; t < trials; t++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                m = Math.max(m, mu + sigma * gaussian(rnd));
            }
            maxima[t] = m;
        }
        Arrays.sort(maxima);
        double median = (maxima[trials / 2 - 1] + maxima[trials / 2]) / 2;
        double bn = sigma / Math.sqrt(2 * Math.log(n));
        assertThat(median).isCloseTo(mode - bn * Math.log(Math.log(2)), within(0.05 * sigma));
    }

    @Property(tries = 200, seed = "20261127")
    void betaScalesWithSigmaAndShrinksWithN(@ForAll @DoubleRange(min = 0.01, max = 100) double sigma,
                                            @ForAll @IntRange(min = 3, max = 1_000_000) int n) {
        double b = BestOfNBeta.beta(sigma, n);
        assertThat(b).isPositive().isFinite();
        assertThat(BestOfNBeta.beta(2 * sigma, n)).isCloseTo(2 * b, within(1e-12 * b));
        assertThat(BestOfNBeta.beta(sigma, 2.0 * n)).isLessThan(b);
    }

    @Test
    void tooFewEffectiveSamplesAreRejectedWithAnExplanation() {
        assertThatThrownBy(() -> BestOfNBeta.beta(1.0, 2.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n_d").hasMessageContaining("> e").hasMessageContaining("2.5");
        assertThatThrownBy(() -> BestOfNBeta.beta(1.0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BestOfNBeta.beta(0.0, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sigma_d");
        double[] x = mixtureSample(1000, 0.5, 0, 1, 5, 1, 1);
        assertThatThrownBy(() -> BestOfNBeta.estimate(x, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n_d");
        assertThatThrownBy(() -> BestOfNBeta.estimate(x, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n must be >= 1");
    }

    @Test
    void badRewardsAreRejected() {
        assertThatThrownBy(() -> BestOfNBeta.fitMixture(new double[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two distinct");
        assertThatThrownBy(() -> BestOfNBeta.fitMixture(new double[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two distinct");
        assertThatThrownBy(() -> BestOfNBeta.fitMixture(new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rewards[1]");
        assertThatThrownBy(() -> new Component(0, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight");
    }

    @Test
    void degenerateButValidInputsGiveFiniteFits() {
        Mixture two = BestOfNBeta.fitMixture(new double[] {0, 1});
        assertThat(two.lower().mean()).isFinite();
        assertThat(two.upper().sd()).isPositive();
        Mixture skewed = BestOfNBeta.fitMixture(new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 10});
        assertThat(skewed.logLikelihood()).isFinite();
        assertThat(BestOfNBeta.fitMixture(mixtureSample(500, 0.5, 0, 1, 0, 1, 3))).isEqualTo(
                BestOfNBeta.fitMixture(mixtureSample(500, 0.5, 0, 1, 0, 1, 3)));
    }

    /**
     * EM is equivariant under scaling: rewards far outside the unit range (whose variance overflows or underflows
     * a double) must fit like their scaled-down copy, not end in NaN weights.
     */
    @Test
    void extremeRewardScalesFitLikeTheUnitScale() {
        double[] x = mixtureSample(400, 0.3, -2, 0.5, 1, 1, 5);
        Mixture unit = BestOfNBeta.fitMixture(x);
        for (double scale : new double[] {1e150, 1e-160, 1e-300}) {
            double[] y = java.util.Arrays.stream(x).map(v -> v * scale).toArray();
            Mixture m = BestOfNBeta.fitMixture(y);
            assertThat(m.lower().weight()).as("scale %s", scale).isCloseTo(unit.lower().weight(), within(1e-6));
            assertThat(m.lower().mean() / scale).isCloseTo(unit.lower().mean(), within(1e-6));
            assertThat(m.upper().sd() / scale).isCloseTo(unit.upper().sd(), within(1e-6));
            assertThat(m.logLikelihood()).isCloseTo(unit.logLikelihood() - x.length * Math.log(scale),
                    within(1e-6 * Math.abs(unit.logLikelihood() - x.length * Math.log(scale))));
        }
        Mixture wide = BestOfNBeta.fitMixture(new double[] {-1e300, 1e300, 0, 1, -1e300, 1e300});
        assertThat(wide.lower().sd()).isFinite().isPositive();
        assertThat(wide.upper().weight() + wide.lower().weight()).isCloseTo(1.0, within(1e-12));
    }
}
