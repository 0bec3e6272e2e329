package io.github.qalign.bench;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.ContinuousBatcher;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.model.BatchingRewardModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;

import java.util.List;

/**
 * Lockstep vs. continuous batching for QAlign on the embedded stories260K policy and reward models, in one run: for
 * each chain count, the same QAlign run (same seed) once with the lockstep sampler (one batch {@code generate} per
 * step) and once with {@code asyncModels(ContinuousBatcher, BatchingRewardModel)}; prints the fraction of batch
 * row-steps that produced a kept token ({@link LlamaLanguageModel#sampledRowSteps()} / {@link
 * LlamaLanguageModel#rowSteps()}), the mean rows per forward pass, and chain-steps per second (chains x steps / wall
 * time; the first, untimed run of each mode warms up).
 *
 * <p>Usage: {@code java -Dai.djl.pytorch.num_threads=1 -cp qalign-benchmarks.jar
 * io.github.qalign.bench.ContinuousBatchingBench [steps=16] [cap=64] [chains=8,32,64]}
 */
public final class ContinuousBatchingBench {

    private ContinuousBatchingBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: steps, completion cap, comma-separated chain counts
     */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int cap = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        String chainList = args.length > 2 ? args[2] : "8,32,64";
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(cap);
        System.out.println("steps=" + steps + " cap=" + cap + " (1 prompt, chains per prompt as listed)");
        System.out.println("chains  mode        kept/row-steps  rows/pass  chain-steps/s  seconds");
        for (String c : chainList.split(",")) {
            int chains = Integer.parseInt(c.trim());
            LlamaOptions opts = LlamaOptions.builder().maxBatchSize(chains).build();
            try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts);
                 LlamaRewardModel rm = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), opts, true)) {
                List<Prompt> prompts = List.of(lm.prompt("Once upon a time"));
                QAlignSampler.Builder b = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(1.0)
                        .steps(steps).chainsPerPrompt(chains).sampling(cfg);
                b.build().run(prompts, 1L); // warm-up
                measure(chains, steps, "lockstep", lm, () -> b.build().run(prompts, 7L));
                try (ContinuousBatcher cb = new ContinuousBatcher(lm, Math.min(chains, lm.maxBatch()), 65_536);
                     BatchingRewardModel brm = BatchingRewardModel.of(rm, chains, 1)) {
                    QAlignSampler async = b.asyncModels(cb, brm).build();
                    async.run(prompts, 1L); // warm-up
                    measure(chains, steps, "continuous", lm, () -> async.run(prompts, 7L));
                }
            }
        }
    }

    private static void measure(int chains, int steps, String mode, LlamaLanguageModel lm,
                                java.util.function.Supplier<QAlignResult> run) {
        long rows0 = lm.rowSteps();
        long kept0 = lm.sampledRowSteps();
        long passes0 = lm.forwardCalls();
        long t0 = System.nanoTime();
        run.get();
        double sec = (System.nanoTime() - t0) / 1e9;
        long rows = lm.rowSteps() - rows0;
        long kept = lm.sampledRowSteps() - kept0;
        long passes = lm.forwardCalls() - passes0;
        System.out.printf("%6d  %-10s  %14.3f  %9.1f  %13.1f  %7.2f%n", chains, mode, (double) kept / rows,
                (double) rows / passes, chains * (double) steps / sec, sec);
    }
}
