package io.github.qalign.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch intra-op threads x batch size on the embedded stories260K, through {@link LlamaLanguageModel#generate}
 * (temperature 1, fresh requests from BOS, fixed seeds, a fixed number of tokens per row): generated tokens per
 * second of wall-clock time. The thread count is switched at run time ({@code torch.set_num_threads} through
 * {@link JniUtils#setNumThreads}), and the configurations are interleaved round by round, so the ratios between
 * them come from one run under the same background load; the best round of each is reported.
 *
 * <p>Usage: {@code java -cp qalign-benchmarks.jar io.github.qalign.bench.DjlThreadsBench [tokens=128] [rounds=5]
 * [threads=1,2] [batches=1,8,32]}
 */
public final class DjlThreadsBench {

    private DjlThreadsBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: tokens per row, rounds, comma-separated thread counts, comma-separated batch sizes
     */
    public static void main(String[] args) throws Exception {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] threads = ints(args.length > 2 ? args[2] : "1,2");
        int[] batches = ints(args.length > 3 ? args[3] : "1,8,32");
        DjlRuntime.engine();
        System.out.printf("available processors %d, load average %s, library default intra-op threads %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(),
                System.getProperty("ai.djl.pytorch.num_threads"));
        int maxBatch = 0;
        for (int b : batches) {
            maxBatch = Math.max(maxBatch, b);
        }
        double[][] best = new double[threads.length][batches.length];
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                LlamaOptions.builder().maxBatchSize(maxBatch).contextLength(tokens + 1).build())) {
            Prompt bos = new Prompt("", TokenIds.of(1));
            SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(tokens);
            for (int round = -1; round < rounds; round++) {
                for (int ti = 0; ti < threads.length; ti++) {
                    JniUtils.setNumThreads(threads[ti]);
                    for (int bi = 0; bi < batches.length; bi++) {
                        List<GenerationRequest> reqs = new ArrayList<>();
                        for (int r = 0; r < batches[bi]; r++) {
                            reqs.add(GenerationRequest.fresh(bos, 1000L * round + r));
                        }
                        long t0 = System.nanoTime();
                        long generated = 0;
                        for (Generation g : lm.generate(reqs, cfg)) {
                            generated += g.usage().generatedTokens();
                        }
                        double tps = generated / ((System.nanoTime() - t0) / 1e9);
                        if (round >= 0) {
                            best[ti][bi] = Math.max(best[ti][bi], tps);
                        }
                    }
                }
            }
        }
        System.out.printf("%n| intra-op threads | %s |%n", header(batches));
        System.out.printf("|---|%s%n", "---|".repeat(batches.length));
        for (int ti = 0; ti < threads.length; ti++) {
            StringBuilder row = new StringBuilder("| " + threads[ti] + " |");
            for (int bi = 0; bi < batches.length; bi++) {
                row.append(String.format(" %.0f |", best[ti][bi]));
            }
            System.out.println(row);
        }
        if (threads.length > 1) {
            StringBuilder row = new StringBuilder("| ratio " + threads[0] + " / " + threads[1] + " |");
            for (int bi = 0; bi < batches.length; bi++) {
                row.append(String.format(" %.2f |", best[0][bi] / best[1][bi]));
            }
            System.out.println(row);
        }
        System.out.printf("(tokens/s, best of %d interleaved rounds, %d tokens per row; load average after: %s)%n",
                rounds, tokens, loadAverage());
    }

    private static String header(int[] batches) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < batches.length; i++) {
            sb.append(i == 0 ? "" : " | ").append("batch ").append(batches[i]);
        }
        return sb.toString();
    }

    private static int[] ints(String csv) {
        String[] p = csv.split(",");
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Integer.parseInt(p[i].trim());
        }
        return out;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
