package io.github.qalign.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.llama.DeviceSampler;
import io.github.qalign.djl.llama.KvCache;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.djl.llama.TokenSampler;
import io.github.qalign.model.SamplingConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Java sampler ({@link TokenSampler}: logits copied to the heap, sampled in double) against the device sampler
 * ({@link DeviceSampler}: sampled where the logits are, B ids copied out), in one run:
 * <ol>
 *   <li>agreement: the same uniform per row given to both samplers over {@code draws} rows of a synthetic vocabulary
 *   (N(0, 3^2) logits; {@code draws} rows untruncated, a fifth of that under top-p/top-k, where the Java reference sorts
 *   every row): how often the sampled ids differ (a difference is only possible where float accumulation order
 *   moves a cumulative boundary across the uniform);</li>
 *   <li>sampling cost per token at Llama 3's vocabulary (128,256) for batch 1, 8, 32: the sampler alone on a logits
 *   array on the device, and a full decode step of a synthetic random-weight model with that vocabulary
 *   (dim 64, 1 layer) through {@link LlamaModel#forward} + Java sampling vs {@link LlamaModel#forwardSample}.</li>
 * </ol>
 *
 * <p>Usage: {@code java -Dai.djl.pytorch.num_threads=1 -cp qalign-bench/target/qalign-benchmarks.jar
 * io.github.qalign.bench.DeviceSamplerBench [draws=100000] [vocab=4096] [device=cpu]}
 */
public final class DeviceSamplerBench {

    private DeviceSamplerBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: agreement draws, agreement vocabulary size, device (cpu or gpu)
     */
    public static void main(String[] args) {
        int draws = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int vocab = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        Device device = args.length > 2 && args[2].startsWith("gpu") ? Device.gpu() : Device.cpu();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf("threads: ai.djl.pytorch.num_threads=%s, device=%s%n",
                System.getProperty("ai.djl.pytorch.num_threads"), device);
        SamplingConfig base = SamplingConfig.defaults();
        List<SamplingConfig> configs = List.of(base, base.withTemperature(0.8).withTopP(0.9), base.withTopK(50));
        try (NDManager m = DjlRuntime.engine().newBaseManager(device)) {
            System.out.println();
            System.out.printf("## agreement over %d draws, vocabulary %d%n%n", draws, vocab);
            System.out.println("| config | draws | differing ids | fraction |");
            System.out.println("|---|---|---|---|");
            for (SamplingConfig c : configs) {
                // the Java reference sorts the whole vocabulary per row under truncation: a fifth of the draws there
                long[] r = agreement(m, c, c == base ? draws : draws / 5, vocab);
                System.out.printf("| %s | %d | %d | %.2e |%n", label(c), r[0], r[1], (double) r[1] / r[0]);
            }
            System.out.println();
            System.out.printf("## sampling cost per token, vocabulary %d (best of 5; ms per sampled token)%n%n",
                    SyntheticLlama.LLAMA3_VOCAB);
            System.out.println("| config | batch | Java ms/token wall | Java cpu | device ms/token wall | device cpu |");
            System.out.println("|---|---|---|---|---|---|");
            for (SamplingConfig c : List.of(configs.get(0), configs.get(1))) {
                for (int b : new int[] {1, 8, 32}) {
                    double[] r = samplerOnly(m, c, b, mx);
                    System.out.printf("| %s | %d | %.3f | %.3f | %.3f | %.3f |%n", label(c), b, r[0], r[1], r[2],
                            r[3]);
                }
            }
        }
        System.out.println();
        System.out.println("## decode step of a synthetic model (V=128,256, D=64, 1 layer; best of 3 x 32 steps)");
        System.out.println();
        System.out.println("| config | batch | forward + Java ms/step | cpu | forwardSample ms/step | cpu |");
        System.out.println("|---|---|---|---|---|---|");
        try (LlamaModel model = SyntheticLlama.model(SyntheticLlama.config(SyntheticLlama.LLAMA3_VOCAB, 64, 128, 1,
                4, 2, 512, false), device, DataType.FLOAT32, 1)) {
            for (SamplingConfig c : List.of(configs.get(0), configs.get(1))) {
                for (int b : new int[] {1, 8, 32}) {
                    double[] r = decode(model, c, b, mx);
                    System.out.printf("| %s | %d | %.3f | %.3f | %.3f | %.3f |%n", label(c), b, r[0], r[1], r[2],
                            r[3]);
                }
            }
        }
    }

    static String label(SamplingConfig c) {
        return "T=" + c.temperature() + (c.topK().isPresent() ? " top-k " + c.topK().getAsInt() : "")
                + (c.topP().isPresent() ? " top-p " + c.topP().getAsDouble() : "");
    }

    private static long[] agreement(NDManager m, SamplingConfig c, int draws, int vocab) {
        SplittableRandom g = new SplittableRandom(42);
        int rowsPer = 500;
        long total = 0;
        long differ = 0;
        float[] flat = new float[rowsPer * vocab];
        double[] u = new double[rowsPer];
        while (total < draws) {
            int rows = (int) Math.min(rowsPer, draws - total);
            for (int i = 0; i < rows * vocab; i++) {
                flat[i] = (float) (3 * g.nextGaussian());
            }
            for (int r = 0; r < rows; r++) {
                u[r] = g.nextDouble();
            }
            int[] dev;
            try (NDArray a = m.create(java.util.Arrays.copyOf(flat, rows * vocab), new Shape(rows, vocab))) {
                dev = DeviceSampler.sample(a, c, java.util.Arrays.copyOf(u, rows));
            }
            for (int r = 0; r < rows; r++) {
                float[] row = java.util.Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
                if (TokenSampler.sample(row, c, fixed(u[r])) != dev[r]) {
                    differ++;
                }
            }
            total += rows;
        }
        return new long[] {total, differ};
    }

    private static double[] samplerOnly(NDManager m, SamplingConfig c, int b, ThreadMXBean mx) {
        int v = SyntheticLlama.LLAMA3_VOCAB;
        SplittableRandom g = new SplittableRandom(b);
        float[] flat = new float[b * v];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) (3 * g.nextGaussian());
        }
        int reps = Math.max(4, 64 / b);
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        try (NDArray logits = m.create(flat, new Shape(b, v))) {
            SplittableRandom rng = new SplittableRandom(7);
            for (int round = 0; round < 5; round++) {
                long w0 = System.nanoTime();
                long c0 = mx.getCurrentThreadCpuTime();
                for (int k = 0; k < reps; k++) {
                    float[] host = logits.toFloatArray();
                    for (int r = 0; r < b; r++) {
                        TokenSampler.sample(java.util.Arrays.copyOfRange(host, r * v, (r + 1) * v), c, rng);
                    }
                }
                best[0] = Math.min(best[0], (System.nanoTime() - w0) / 1e6 / reps / b);
                best[1] = Math.min(best[1], (mx.getCurrentThreadCpuTime() - c0) / 1e6 / reps / b);
                w0 = System.nanoTime();
                c0 = mx.getCurrentThreadCpuTime();
                for (int k = 0; k < reps; k++) {
                    double[] u = new double[b];
                    for (int r = 0; r < b; r++) {
                        u[r] = rng.nextDouble();
                    }
                    DeviceSampler.sample(logits, c, u);
                }
                best[2] = Math.min(best[2], (System.nanoTime() - w0) / 1e6 / reps / b);
                best[3] = Math.min(best[3], (mx.getCurrentThreadCpuTime() - c0) / 1e6 / reps / b);
            }
        }
        return best;
    }

    private static double[] decode(LlamaModel model, SamplingConfig c, int b, ThreadMXBean mx) {
        int steps = 32;
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        int[] slots = new int[b];
        for (int r = 0; r < b; r++) {
            slots[r] = r;
        }
        for (int round = 0; round < 3; round++) {
            for (int mode = 0; mode < 2; mode++) {
                try (KvCache cache = model.newCache(b, steps + 2)) {
                    SplittableRandom rng = new SplittableRandom(round);
                    int[][] tok = new int[b][];
                    for (int r = 0; r < b; r++) {
                        tok[r] = new int[] {1 + r};
                    }
                    long w0 = System.nanoTime();
                    long c0 = mx.getCurrentThreadCpuTime();
                    for (int s = 0; s < steps; s++) {
                        int[] next;
                        if (mode == 0) {
                            float[][] logits = model.forward(cache, slots, tok, LlamaModel.Head.LOGITS);
                            next = new int[b];
                            for (int r = 0; r < b; r++) {
                                next[r] = TokenSampler.sample(logits[r], c, rng);
                            }
                        } else {
                            double[] u = new double[b];
                            for (int r = 0; r < b; r++) {
                                u[r] = rng.nextDouble();
                            }
                            next = model.forwardSample(cache, slots, tok, c, u, null);
                        }
                        for (int r = 0; r < b; r++) {
                            tok[r] = new int[] {next[r]};
                        }
                    }
                    best[2 * mode] = Math.min(best[2 * mode], (System.nanoTime() - w0) / 1e6 / steps);
                    best[2 * mode + 1] = Math.min(best[2 * mode + 1], (mx.getCurrentThreadCpuTime() - c0) / 1e6 / steps);
                }
            }
        }
        return best;
    }

    private static RandomGenerator fixed(double u) {
        return new RandomGenerator() {
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
