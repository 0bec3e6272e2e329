package io.github.qalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.KvCache;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.TokenSampler;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decode throughput of the DJL Llama runtime on the embedded stories260K: single sequence and 8 / 32 / 64 sequences
 * batched, through the raw {@link LlamaModel#forward} loop (greedy) and through {@link LlamaLanguageModel#generate}
 * (T = 1 sampling), plus the cost of one trivial native op measured in the same run so the per-token cost can be split
 * into native-call overhead and compute. Reports wall-clock and thread-CPU rates (with
 * {@code -Dai.djl.pytorch.num_threads=1} all native work runs on the calling thread, so CPU time is robust to other
 * processes on a shared machine).
 *
 * <p>Usage: {@code java -Dai.djl.pytorch.num_threads=1 -cp qalign-benchmarks.jar
 * io.github.qalign.bench.DjlDecodeBench [steps=256] [repeats=3]}
 */
public final class DjlDecodeBench {

    /**
     * Native calls per decode step of LlamaModel.forward for stories260K (5 layers), counted from the code for a batch
     * of equal-length rows in consecutive slots: 4 (token ids, embedding, RoPE table slice + reshape) + 26 per layer
     * (of which the 2 KV narrows and 2 slice writes are cheap view/copy calls) + 3 (final norm, LM head, copy-out).
     * Before the inference weight re-layout it was 10 + 47 per layer + 9 = 254.
     */
    public static final int NATIVE_CALLS_PER_STEP = 4 + 26 * 5 + 3;

    private DjlDecodeBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: decode steps per run, repeats
     */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf("threads: ai.djl.pytorch.num_threads=%s, available processors=%d%n",
                System.getProperty("ai.djl.pytorch.num_threads"), Runtime.getRuntime().availableProcessors());
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                LlamaOptions.builder().maxBatchSize(64).build())) {
            LlamaModel model = lm.model();
            double[] op = perOpMicros(model, mx);
            System.out.printf("one native op (8x64 add in a sub-manager): %.2f us wall, %.2f us cpu%n", op[0], op[1]);
            System.out.printf("native calls per decode step (counted): %d%n", NATIVE_CALLS_PER_STEP);
            ScalarLlamaBaseline scalar = new ScalarLlamaBaseline(EmbeddedModels.stories260k());
            double[] bestScalar = null;
            for (int r = 0; r < repeats + 2; r++) {
                long w0 = System.nanoTime();
                long c0 = mx.getCurrentThreadCpuTime();
                scalar.greedy(steps);
                double[] res = {(System.nanoTime() - w0) / 1e9, (mx.getCurrentThreadCpuTime() - c0) / 1e9};
                if (bestScalar == null || res[0] < bestScalar[0]) {
                    bestScalar = res;
                }
            }
            System.out.printf("run.c-style scalar Java baseline (1 thread, batch 1): %.0f tok/s wall, %.0f tok/s cpu%n",
                    steps / bestScalar[0], steps / bestScalar[1]);
            System.out.println();
            System.out.println("| path | batch | tok/s wall | tok/s cpu | ms/step wall | ms/step cpu | est. overhead "
                    + "share |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int b : new int[] {1, 8, 32, 64}) {
                double[] best = null;
                for (int r = 0; r < repeats; r++) {
                    double[] res = rawDecode(model, b, steps, mx);
                    if (best == null || res[0] < best[0]) {
                        best = res;
                    }
                }
                double overhead = NATIVE_CALLS_PER_STEP * op[1] / 1000 / (best[1] * 1000 / steps);
                System.out.printf("| forward (greedy) | %d | %.0f | %.0f | %.2f | %.2f | %.0f%% |%n", b,
                        b * steps / best[0], b * steps / best[1], best[0] * 1000 / steps, best[1] * 1000 / steps,
                        100 * Math.min(1, overhead));
            }
            for (int b : new int[] {1, 8, 32, 64}) {
                double[] best = null;
                for (int r = 0; r < repeats; r++) {
                    double[] res = generate(lm, b, steps, mx, new SplittableRandom(r));
                    if (best == null || res[0] / res[2] < best[0] / best[2]) {
                        best = res;
                    }
                }
                System.out.printf("| generate (T=1) | %d | %.0f | %.0f | - | - | - |%n", b, best[2] / best[0],
                        best[2] / best[1]);
            }
        }
    }

    private static double[] perOpMicros(LlamaModel model, ThreadMXBean mx) {
        NDArray x = model.manager().create(new float[8 * 64], new Shape(8, 64));
        int n = 20_000;
        for (int warm = 0; warm < 2; warm++) {
            long w0 = System.nanoTime();
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i += 100) {
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray y = x.duplicate();
                    y.attach(m);
                    for (int j = 0; j < 100; j++) {
                        y.add(y);
                    }
                }
            }
            if (warm == 1) {
                x.close();
                return new double[] {(System.nanoTime() - w0) / 1e3 / n, (mx.getCurrentThreadCpuTime() - c0) / 1e3 / n};
            }
        }
        throw new AssertionError();
    }

    /** Greedy decode of b sequences from BOS for steps positions: {wall s, cpu s}. */
    private static double[] rawDecode(LlamaModel model, int b, int steps, ThreadMXBean mx) {
        try (KvCache cache = model.newCache(b, steps + 1)) {
            int[] slots = new int[b];
            int[][] tok = new int[b][];
            for (int i = 0; i < b; i++) {
                slots[i] = i;
                tok[i] = new int[] {1};
            }
            long w0 = System.nanoTime();
            long c0 = mx.getCurrentThreadCpuTime();
            for (int s = 0; s < steps; s++) {
                float[][] logits = model.forward(cache, slots, tok, LlamaModel.Head.LOGITS);
                for (int i = 0; i < b; i++) {
                    tok[i] = new int[] {TokenSampler.argmax(logits[i])};
                }
            }
            return new double[] {(System.nanoTime() - w0) / 1e9, (mx.getCurrentThreadCpuTime() - c0) / 1e9};
        }
    }

    /** b fresh T=1 samples with cap steps: {wall s, cpu s, generated tokens}. */
    private static double[] generate(LlamaLanguageModel lm, int b, int steps, ThreadMXBean mx, SplittableRandom rng) {
        Prompt p = lm.prompt("");
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            reqs.add(GenerationRequest.fresh(p, rng.nextLong()));
        }
        long w0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        List<Generation> gs = lm.generate(reqs, SamplingConfig.defaults().withMaxCompletionTokens(steps));
        double wall = (System.nanoTime() - w0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        long tokens = gs.stream().mapToLong(g -> g.usage().generatedTokens()).sum();
        return new double[] {wall, cpu, tokens};
    }
}
