package io.github.qalign.djl.llama;

import io.github.qalign.model.ModelException;
import io.github.qalign.model.SamplingConfig;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TokenSamplerTest {

    static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15),
            (float) Math.log(0.05)};

    @Test
    void temperatureOneIsSoftmaxAndTemperatureSharpens() {
        double[] p = TokenSampler.distribution(LOGITS, SamplingConfig.defaults());
        assertThat(p).containsExactly(new double[] {0.5, 0.3, 0.15, 0.05}, within(1e-6));
        double[] q = TokenSampler.distribution(LOGITS, SamplingConfig.defaults().withTemperature(0.5));
        double z = 0.25 + 0.09 + 0.0225 + 0.0025;
        assertThat(q).containsExactly(new double[] {0.25 / z, 0.09 / z, 0.0225 / z, 0.0025 / z}, within(1e-6));
    }

    @Test
    void topKAndTopPRestrictTheSupport() {
        double[] k2 = TokenSampler.distribution(LOGITS, SamplingConfig.defaults().withTopK(2));
        assertThat(k2).containsExactly(new double[] {0.625, 0.375, 0, 0}, within(1e-6));
        double[] p80 = TokenSampler.distribution(LOGITS, SamplingConfig.defaults().withTopP(0.8));
        assertThat(p80).containsExactly(new double[] {0.625, 0.375, 0, 0}, within(1e-6));
        double[] p81 = TokenSampler.distribution(LOGITS, SamplingConfig.defaults().withTopP(0.81));
        assertThat(p81).containsExactly(new double[] {0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0}, within(1e-6));
        double[] p10 = TokenSampler.distribution(LOGITS, SamplingConfig.defaults().withTopP(0.1));
        assertThat(p10).containsExactly(new double[] {1, 0, 0, 0}, within(1e-9));
        // draws never leave the support
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            assertThat(TokenSampler.sample(LOGITS, SamplingConfig.defaults().withTopP(0.8), r)).isIn(0, 1);
            assertThat(TokenSampler.sample(LOGITS, SamplingConfig.defaults().withTopK(3), r)).isIn(0, 1, 2);
        }
    }

    @Test
    void empiricalFrequenciesMatchSoftmaxChiSquare() {
        float[] logits = new float[50];
        SplittableRandom g = new SplittableRandom(2);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (2 * g.nextGaussian());
        }
        double[] p = TokenSampler.distribution(logits, SamplingConfig.defaults());
        long[] counts = new long[logits.length];
        SplittableRandom r = new SplittableRandom(3);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts[TokenSampler.sample(logits, SamplingConfig.defaults(), r)]++;
        }
        assertThat(pValue(p, counts)).isGreaterThan(1e-3);
        // and a wrong distribution (temperature 1.3) is rejected by the same test
        double[] wrong = TokenSampler.distribution(logits, SamplingConfig.defaults().withTemperature(1.3));
        assertThat(pValue(wrong, counts)).isLessThan(1e-6);
    }

    /** Chi-square p-value of counts against p, pooling cells with expected count below 5. */
    static double pValue(double[] p, long[] counts) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        java.util.List<double[]> cells = new java.util.ArrayList<>();
        double pe = 0;
        long pc = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] * n >= 5) {
                cells.add(new double[] {p[i] * n, counts[i]});
            } else {
                pe += p[i] * n;
                pc += counts[i];
            }
        }
        if (pe > 0 || pc > 0) {
            cells.add(new double[] {Math.max(pe, 1e-9), pc});
        }
        double[] expected = new double[cells.size()];
        long[] observed = new long[cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            expected[i] = cells.get(i)[0];
            observed[i] = (long) cells.get(i)[1];
        }
        return new ChiSquareTest().chiSquareTest(expected, observed);
    }

    @Test
    void sameSeedSameDraws() {
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        for (int i = 0; i < 100; i++) {
            assertThat(TokenSampler.sample(LOGITS, SamplingConfig.defaults(), a))
                    .isEqualTo(TokenSampler.sample(LOGITS, SamplingConfig.defaults(), b));
        }
    }

    @Test
    void nonFiniteLogitsAreRejected() {
        assertThatThrownBy(() -> TokenSampler.sample(new float[] {0, Float.NaN}, SamplingConfig.defaults(),
                new SplittableRandom(1))).isInstanceOf(ModelException.class).hasMessageContaining("NaN");
        assertThat(TokenSampler.argmax(new float[] {1, 3, 3, 2})).isEqualTo(1);
    }

    @Test
    void temperatureZeroIsArgmaxWithTheLowestIdOnTiesAndConsumesNoDraw() {
        SamplingConfig greedy = SamplingConfig.defaults().withTemperature(0);
        assertThat(TokenSampler.distribution(LOGITS, greedy)).containsExactly(1, 0, 0, 0);
        float[] tie = {0.5f, 2f, -1f, 2f, 2f};
        assertThat(TokenSampler.distribution(tie, greedy)).containsExactly(0, 1, 0, 0, 0);
        // a generator that fails on any use: greedy never draws
        java.util.random.RandomGenerator noDraws = () -> {
            throw new AssertionError("greedy decoding consumed a random draw");
        };
        assertThat(TokenSampler.sample(tie, greedy, noDraws)).isEqualTo(1);
        assertThat(TokenSampler.sample(tie, greedy.withTopK(1).withTopP(0.1), noDraws)).isEqualTo(1);
        assertThat(TokenSampler.sample(new float[] {Float.NEGATIVE_INFINITY, -3f}, greedy, noDraws)).isEqualTo(1);
        // a bad row is still rejected
        assertThatThrownBy(() -> TokenSampler.sample(new float[] {0f, Float.NaN}, greedy, noDraws))
                .isInstanceOf(ModelException.class);
        assertThatThrownBy(() -> SamplingConfig.defaults().withTemperature(-1e-9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
    }
}
