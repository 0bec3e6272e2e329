package io.github.qalign.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.DeviceSampler;
import io.github.qalign.djl.llama.KvCache;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.djl.llama.TokenSampler;
import io.github.qalign.model.SamplingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPU checks (JUnit tag {@code gpu}, left out of the default build; run by {@code scripts/gpu-check.sh}, see
 * docs/gpu.md). Each check appends its figures to the report file ({@code -Dqalign.gpu.report}):
 * <ol>
 *   <li>cached (KV-cache, token by token) vs full-recompute logits on the device;</li>
 *   <li>FLOAT16 vs FLOAT32 logits of the same weights;</li>
 *   <li>the device sampler's distribution on the device: chi-square against {@link TokenSampler#distribution} and
 *   draw agreement with the Java sampler for the same uniforms;</li>
 *   <li>decode throughput at batch 1/8/32/64 with device sampling, on an 8B-shaped random-weight model in FLOAT16
 *   (or the checkpoint of {@code -Dqalign.gpu.model}).</li>
 * </ol>
 * {@code -Dqalign.gpu.device=cpu} is the CPU-fallback mode (small shapes, FLOAT32 decode) that runs anywhere.
 */
@Tag("gpu")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GpuCheckTest {

    static Device device;
    static boolean cpuMode;
    static Path report;

    @BeforeAll
    static void setUp() throws IOException {
        cpuMode = System.getProperty("qalign.gpu.device", "gpu").equals("cpu");
        device = DjlRuntime.checkDevice(cpuMode ? Device.cpu() : Device.gpu());
        report = Path.of(System.getProperty("qalign.gpu.report", "target/gpu-check-report.md"));
        Files.createDirectories(report.toAbsolutePath().getParent());
        log("# GPU check report%n%ndevice %s (%s mode), engine %s%n", device, cpuMode ? "CPU-fallback" : "GPU",
                DjlRuntime.engine().getVersion());
    }

    @AfterAll
    static void done() throws IOException {
        log("%nall checks passed%n");
    }

    static void log(String fmt, Object... args) throws IOException {
        String s = String.format(fmt, args);
        System.out.print(s);
        Files.writeString(report, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static LlamaConfig small() {
        return SyntheticLlama.config(4096, 256, 688, 4, 8, 2, 512, false);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static int argmax(float[] a) {
        return TokenSampler.argmax(a);
    }

    @Test
    @Order(1)
    void cachedLogitsEqualFullRecompute() throws IOException {
        int len = 48;
        int[] tokens = new SplittableRandom(1).ints(len, 3, small().vocabSize()).toArray();
        try (LlamaModel model = SyntheticLlama.model(small(), device, DataType.FLOAT32, 2, false);
             KvCache cache = model.newCache(2, 64);
             NDManager m = DjlRuntime.engine().newBaseManager(device)) {
            // cached: a prefill of half, then one token at a time
            float[][] cached = new float[len][];
            cached[len / 2 - 1] = model.forward(cache, new int[] {0}, new int[][] {java.util.Arrays.copyOf(tokens,
                    len / 2)}, LlamaModel.Head.LOGITS)[0];
            for (int t = len / 2; t < len; t++) {
                cached[t] = model.forward(cache, new int[] {0}, new int[][] {{tokens[t]}}, LlamaModel.Head.LOGITS)[0];
            }
            double worst = 0;
            for (int t = len / 2 - 1; t < len; t++) {
                long[] ids = new long[t + 1];
                for (int i = 0; i <= t; i++) {
                    ids[i] = tokens[i];
                }
                NDArray hidden = model.forwardHidden(m.create(ids, new Shape(1, t + 1)), new int[] {t + 1});
                float[] full = model.logits(model.lastHidden(hidden, new int[] {t + 1})).toFloatArray();
                worst = Math.max(worst, maxAbsDiff(cached[t], full));
            }
            log("%n## 1. cached vs full-recompute logits (FLOAT32, D=256, 4 layers, %d positions)%n%n"
                    + "max |difference| = %.3g%n", len / 2 + 1, worst);
            assertThat(worst).isLessThan(1e-3);
        }
    }

    @Test
    @Order(2)
    void float16AgreesWithFloat32() throws IOException {
        int b = 8;
        int[][] prompt = new int[b][];
        SplittableRandom g = new SplittableRandom(3);
        for (int r = 0; r < b; r++) {
            prompt[r] = g.ints(16, 3, small().vocabSize()).toArray();
        }
        int[] slots = {0, 1, 2, 3, 4, 5, 6, 7};
        float[][] f32;
        float[][] f16;
        try (LlamaModel model = SyntheticLlama.model(small(), device, DataType.FLOAT32, 4);
             KvCache cache = model.newCache(b, 32)) {
            f32 = model.forward(cache, slots, prompt, LlamaModel.Head.LOGITS);
        }
        try (LlamaModel model = SyntheticLlama.model(small(), device, DataType.FLOAT16, 4);
             KvCache cache = model.newCache(b, 32)) {
            f16 = model.forward(cache, slots, prompt, LlamaModel.Head.LOGITS);
        }
        double worst = 0;
        double scale = 0;
        int sameTop = 0;
        for (int r = 0; r < b; r++) {
            worst = Math.max(worst, maxAbsDiff(f32[r], f16[r]));
            for (float x : f32[r]) {
                scale = Math.max(scale, Math.abs(x));
            }
            sameTop += argmax(f32[r]) == argmax(f16[r]) ? 1 : 0;
        }
        log("%n## 2. FLOAT16 vs FLOAT32 logits (same weights, %d rows of 16 tokens)%n%n"
                + "max |difference| = %.3g (largest |logit| %.3g), same argmax in %d/%d rows%n", b, worst, scale,
                sameTop, b);
        assertThat(worst).isLessThan(0.05 * Math.max(1, scale));
    }

    @Test
    @Order(3)
    void deviceSamplerMatchesTheJavaDistribution() throws IOException {
        int vocab = 2000;
        int n = 100_000;
        SplittableRandom g = new SplittableRandom(5);
        float[] row = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            row[i] = (float) (2 * g.nextGaussian());
        }
        SamplingConfig c = SamplingConfig.defaults().withTemperature(0.9).withTopP(0.95);
        double[] p = TokenSampler.distribution(row, c);
        long[] counts = new long[vocab];
        int differ = 0;
        int rows = 1000;
        try (NDManager m = DjlRuntime.engine().newBaseManager(device);
             NDArray one = m.create(row, new Shape(1, vocab));
             NDArray logits = one.repeat(0, rows)) {
            for (int done = 0; done < n; done += rows) {
                double[] u = new double[rows];
                for (int r = 0; r < rows; r++) {
                    u[r] = g.nextDouble();
                }
                int[] ids = DeviceSampler.sample(logits, c, u);
                for (int r = 0; r < rows; r++) {
                    counts[ids[r]]++;
                    if (done < 10 * rows && ids[r] != TokenSampler.sample(row, c, fixed(u[r]))) {
                        differ++;
                    }
                }
            }
        }
        double chi = 0;
        int cells = 0;
        for (int i = 0; i < vocab; i++) {
            if (p[i] > 0) {
                double e = p[i] * n;
                chi += (counts[i] - e) * (counts[i] - e) / e;
                cells++;
            } else {
                assertThat(counts[i]).isZero();
            }
        }
        double pValue = 1 - new org.apache.commons.math3.distribution.ChiSquaredDistribution(cells - 1)
                .cumulativeProbability(chi);
        log("%n## 3. device sampler distribution (V=%d, T=0.9, top-p 0.95, %d draws)%n%n"
                + "chi-square %.1f on %d cells, p-value %.3f; ids differing from the Java sampler for the same "
                + "uniform: %d of %d%n", vocab, n, chi, cells - 1, pValue, differ, 10 * rows);
        assertThat(pValue).isGreaterThan(1e-3);
        assertThat(differ).isLessThanOrEqualTo(10);
    }

    @Test
    @Order(4)
    void decodeThroughput() throws IOException {
        String path = System.getProperty("qalign.gpu.model", "");
        LlamaConfig c;
        LlamaModel model;
        DataType dt = cpuMode ? DataType.FLOAT32 : DataType.FLOAT16;
        if (!path.isBlank()) {
            try (HfCheckpoint ckpt = HfCheckpoint.open(Path.of(path));
                 NDManager tmp = DjlRuntime.engine().newBaseManager(device)) {
                c = ckpt.config();
                Map<String, NDArray> w = ckpt.loadAll(tmp, dt);
                model = LlamaModel.create(c, w, device, dt);
                model.releaseTrainingWeights();
            }
        } else {
            // Llama-3-8B shape on a GPU; a small one in CPU-fallback mode
            c = cpuMode ? SyntheticLlama.config(32_000, 512, 1376, 4, 8, 2, 512, false)
                    : SyntheticLlama.config(SyntheticLlama.LLAMA3_VOCAB, 4096, 14336, 32, 32, 8, 8192, false);
            model = SyntheticLlama.model(c, device, dt, 7);
        }
        int steps = cpuMode ? 16 : 64;
        log("%n## 4. decode throughput (%s, %s, %,d parameters, device sampling T=1, %d steps after a 32-token "
                + "prefill)%n%n| batch | tok/s | ms/step |%n|---|---|---|%n", path.isBlank() ? "random weights, "
                + c.numHiddenLayers() + " layers, D=" + c.hiddenSize() + ", V=" + c.vocabSize() : path, dt,
                model.parameterCount(), steps);
        try (model) {
            for (int b : new int[] {1, 8, 32, 64}) {
                try (KvCache cache = model.newCache(b, 32 + steps + 1)) {
                    int[] slots = new int[b];
                    int[][] tok = new int[b][];
                    SplittableRandom g = new SplittableRandom(b);
                    for (int r = 0; r < b; r++) {
                        slots[r] = r;
                        tok[r] = g.ints(32, 3, c.vocabSize()).toArray();
                    }
                    SamplingConfig sc = SamplingConfig.defaults();
                    double[] u = new double[b];
                    int[] next = model.forwardSample(cache, slots, tok, sc, u, null);
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) {
                        for (int r = 0; r < b; r++) {
                            tok[r] = new int[] {next[r]};
                            u[r] = g.nextDouble();
                        }
                        next = model.forwardSample(cache, slots, tok, sc, u, null);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    log("| %d | %.0f | %.2f |%n", b, b * steps / secs, secs * 1000 / steps);
                    assertThat(java.util.Arrays.stream(next).allMatch(id -> id >= 0 && id < c.vocabSize())).isTrue();
                }
            }
        }
    }

    static java.util.random.RandomGenerator fixed(double u) {
        return new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return u;
            }
        };
    }
}
