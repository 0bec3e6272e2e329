package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.SamplingConfig;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DeviceSampler} against the reference rule {@link TokenSampler}: the same draws for the same uniforms (every
 * disagreement must be a uniform within float-rounding distance of a cumulative-probability boundary), the same
 * support under top-k/top-p including ties, a chi-square test of its frequencies against
 * {@link TokenSampler#distribution}, greedy argmax with the lowest id on ties, and the Java sampler's errors.
 */
class DeviceSamplerTest {

    static NDManager manager;

    @BeforeAll
    static void start() {
        manager = DjlRuntime.engine().newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static List<SamplingConfig> configs() {
        SamplingConfig d = SamplingConfig.defaults();
        return List.of(d, d.withTemperature(0.7), d.withTopK(5), d.withTopP(0.9), d.withTopK(20).withTopP(0.8),
                d.withTemperature(1.3).withTopP(0.5), d.withTopK(1));
    }

    static float[][] randomLogits(int rows, int vocab, long seed) {
        SplittableRandom g = new SplittableRandom(seed);
        float[][] l = new float[rows][vocab];
        for (float[] row : l) {
            for (int i = 0; i < vocab; i++) {
                row[i] = (float) (3 * g.nextGaussian());
            }
        }
        return l;
    }

    static NDArray array(float[][] l) {
        float[] flat = new float[l.length * l[0].length];
        for (int r = 0; r < l.length; r++) {
            System.arraycopy(l[r], 0, flat, r * l[0].length, l[0].length);
        }
        return manager.create(flat, new Shape(l.length, l[0].length));
    }

    /** Distance from u to the nearest boundary of the reference cumulative distribution (in id order). */
    static double boundaryDistance(double[] p, double u) {
        double cum = 0;
        double best = Math.abs(u);
        for (double x : p) {
            if (x > 0) {
                cum += x;
                best = Math.min(best, Math.abs(u - cum));
            }
        }
        return best;
    }

    @Test
    void sameUniformsGiveTheJavaSamplersDrawsExceptAtRoundingBoundaries() {
        int rows = 16;
        int vocab = 1000;
        int draws = 0;
        int differ = 0;
        for (SamplingConfig c : configs()) {
            for (int rep = 0; rep < 8; rep++) {
                float[][] l = randomLogits(rows, vocab, 100 + rep);
                SplittableRandom g = new SplittableRandom(rep);
                double[] u = new double[rows];
                for (int r = 0; r < rows; r++) {
                    u[r] = g.nextDouble();
                }
                int[] dev;
                try (NDArray a = array(l)) {
                    dev = DeviceSampler.sample(a, c, u);
                }
                for (int r = 0; r < rows; r++) {
                    final double ur = u[r];
                    int java = TokenSampler.sample(l[r], c, new FixedUniform(ur));
                    draws++;
                    if (java != dev[r]) {
                        differ++;
                        assertThat(boundaryDistance(TokenSampler.distribution(l[r], c), ur))
                                .as("config %s row %d: device %d vs java %d", c, r, dev[r], java)
                                .isLessThan(1e-12);
                    }
                }
            }
        }
        assertThat(draws).isEqualTo(7 * 8 * 16);
        assertThat(differ).isLessThanOrEqualTo(draws / 100);
    }

    @Test
    void uniformSweepCoversExactlyTheJavaSupportWithTies() {
        // ties at the top-k / top-p boundary: the lower ids win, as in SamplingConfig.truncate
        float[] row = {1f, 2f, 2f, 0f, 2f, 1f, 2f, -1f};
        SamplingConfig[] cs = {SamplingConfig.defaults().withTopK(2), SamplingConfig.defaults().withTopK(3),
                SamplingConfig.defaults().withTopK(6), SamplingConfig.defaults().withTopP(0.5),
                SamplingConfig.defaults().withTopK(5).withTopP(0.95)};
        int grid = 997;
        for (SamplingConfig c : cs) {
            float[][] l = new float[grid][];
            double[] u = new double[grid];
            for (int i = 0; i < grid; i++) {
                l[i] = row;
                u[i] = (i + 0.5) / grid;
            }
            int[] dev;
            try (NDArray a = array(l)) {
                dev = DeviceSampler.sample(a, c, u);
            }
            for (int i = 0; i < grid; i++) {
                assertThat(dev[i]).as("%s u=%s", c, u[i]).isEqualTo(TokenSampler.sample(row, c, new FixedUniform(u[i])));
            }
        }
    }

    @Test
    void frequenciesMatchTheJavaDistributionChiSquare() {
        int vocab = 60;
        float[] row = randomLogits(1, vocab, 7)[0];
        int n = 40_000;
        for (SamplingConfig c : List.of(SamplingConfig.defaults(), SamplingConfig.defaults().withTopK(30).withTopP(0.9))) {
            double[] p = TokenSampler.distribution(row, c);
            float[][] l = new float[n][];
            double[] u = new double[n];
            SplittableRandom g = new SplittableRandom(11);
            for (int i = 0; i < n; i++) {
                l[i] = row;
                u[i] = g.nextDouble();
            }
            long[] counts = new long[vocab];
            try (NDArray a = array(l)) {
                for (int id : DeviceSampler.sample(a, c, u)) {
                    counts[id]++;
                }
            }
            List<Double> expected = new ArrayList<>();
            List<Long> observed = new ArrayList<>();
            for (int i = 0; i < vocab; i++) {
                if (p[i] > 0) {
                    expected.add(p[i] * n);
                    observed.add(counts[i]);
                } else {
                    assertThat(counts[i]).as("id %d outside the support", i).isZero();
                }
            }
            double pValue = new ChiSquareTest().chiSquareTest(expected.stream().mapToDouble(Double::doubleValue)
                    .toArray(), observed.stream().mapToLong(Long::longValue).toArray());
            assertThat(pValue).as("chi-square p-value for %s", c).isGreaterThan(1e-3);
        }
    }

    @Test
    void greedyIsTheArgmaxWithTheLowestIdOnTiesAndNeedsNoUniform() {
        float[][] l = {{0f, 3f, 1f, 3f}, {5f, 5f, 5f, 5f}, {-1f, -2f, -0.5f, -3f}};
        try (NDArray a = array(l)) {
            assertThat(DeviceSampler.sample(a, SamplingConfig.defaults().withTemperature(0), null))
                    .containsExactly(1, 0, 2);
        }
    }

    @Test
    void float16LogitsSampleLikeTheirFloat32Widening() {
        float[][] l = randomLogits(8, 300, 5);
        double[] u = {0.01, 0.2, 0.35, 0.5, 0.66, 0.8, 0.93, 0.999};
        try (NDArray a = array(l); NDArray h = a.toType(DataType.FLOAT16, false)) {
            float[] widened = h.toType(DataType.FLOAT32, false).toFloatArray();
            int[] dev = DeviceSampler.sample(h, SamplingConfig.defaults(), u);
            for (int r = 0; r < 8; r++) {
                float[] row = java.util.Arrays.copyOfRange(widened, r * 300, (r + 1) * 300);
                assertThat(dev[r]).isEqualTo(TokenSampler.sample(row, SamplingConfig.defaults(), new FixedUniform(u[r])));
            }
        }
    }

    @Test
    void badRowsFailLikeTheJavaSamplerUnlessInactive() {
        float[][] l = {{0f, 1f, 2f}, {0f, Float.NaN, 1f}, {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NEGATIVE_INFINITY}};
        double[] u = {0.5, 0.5, 0.5};
        try (NDArray a = array(l)) {
            assertThatThrownBy(() -> DeviceSampler.sample(a, SamplingConfig.defaults(), u))
                    .isInstanceOf(ModelException.class).hasMessageContaining("row 1 of 3");
            assertThatThrownBy(() -> DeviceSampler.sample(a, SamplingConfig.defaults().withTemperature(0), null))
                    .isInstanceOf(ModelException.class).hasMessageContaining("row 1 of 3");
            int[] ids = DeviceSampler.sample(a, SamplingConfig.defaults(), u, new boolean[] {true, false, false});
            assertThat(ids[1]).isEqualTo(-1);
            assertThat(ids[2]).isEqualTo(-1);
            assertThat(ids[0]).isEqualTo(TokenSampler.sample(l[0], SamplingConfig.defaults(), new FixedUniform(0.5)));
        }
        float[][] inf = {{0f, Float.POSITIVE_INFINITY}};
        try (NDArray a = array(inf)) {
            assertThatThrownBy(() -> DeviceSampler.sample(a, SamplingConfig.defaults(), new double[] {0.1}))
                    .isInstanceOf(ModelException.class).hasMessageContaining("row 0 of 1");
        }
        try (NDArray a = array(new float[][] {{0f, 1f}})) {
            assertThatThrownBy(() -> DeviceSampler.sample(a, SamplingConfig.defaults(), new double[] {0.1, 0.2}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one uniform per row");
        }
    }

    /** A generator whose nextDouble() returns one fixed value (the uniform a test hands to both samplers). */
    record FixedUniform(double u) implements java.util.random.RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only nextDouble() is expected");
        }

        @Override
        public double nextDouble() {
            return u;
        }
    }
}
