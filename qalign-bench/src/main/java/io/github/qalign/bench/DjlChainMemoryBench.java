package io.github.qalign.bench;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;

import java.util.SplittableRandom;

/**
 * 10,000 chain-like steps (truncate to a random prefix, decode 1-4 tokens; 8 chains per batched call) on the embedded
 * stories260K, printing VmRSS samples: native memory must stay flat.
 *
 * <p>Usage: {@code java -cp qalign-benchmarks.jar io.github.qalign.bench.DjlChainMemoryBench [steps=10000]}
 */
public final class DjlChainMemoryBench {

    private DjlChainMemoryBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: number of steps
     */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                LlamaOptions.builder().maxBatchSize(8).build())) {
            long t0 = System.nanoTime();
            ChainMemory.Result r = ChainMemory.run(lm, steps, 8, new SplittableRandom(1), 1000);
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("steps=%d in %.1f s; RSS after warm-up %d kB, max %d kB, end %d kB, growth %d kB; "
                            + "model-manager arrays growth %d%n", r.steps(), sec, r.rssAfterWarmupKb(), r.rssMaxKb(),
                    r.rssEndKb(), r.rssGrowthKb(), r.managedArraysGrowth());
            System.out.println("samples (steps:VmRSS kB): " + r.samples());
            System.out.println("usage: " + lm.totalUsage() + ", forward passes: " + lm.forwardCalls());
        }
    }
}
