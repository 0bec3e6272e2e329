package io.github.qalign.bench;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;

import java.util.SplittableRandom;

/**
 * QAlign-style chains on stories260K (policy) with a reward model on the same backbone plus a random score head:
 * prints how many policy and reward-model tokens are computed per step relative to |y|, read from the models'
 * usage counters (not timing), and the wall time.
 *
 * <p>Usage: {@code java -cp qalign-benchmarks.jar io.github.qalign.bench.DjlQAlignReuseBench [chains=16] [steps=50]
 * [cap=128]}
 */
public final class DjlQAlignReuseBench {

    private DjlQAlignReuseBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: chains, steps, cap
     */
    public static void main(String[] args) {
        int chains = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int cap = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        LlamaOptions opts = LlamaOptions.builder().maxBatchSize(Math.max(chains, 1)).build();
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts);
             LlamaRewardModel rm = rewardModel(opts)) {
            long t0 = System.nanoTime();
            QAlignReuse.Result r = QAlignReuse.run(lm, rm, chains, steps, cap, 1.0, new SplittableRandom(3));
            System.out.printf("chains=%d steps=%d cap=%d: %s; %.1f s%n", chains, steps, cap, r,
                    (System.nanoTime() - t0) / 1e9);
            System.out.println("policy totals " + lm.totalUsage() + "; reward totals " + rm.totalUsage());
        }
    }

    private static LlamaRewardModel rewardModel(LlamaOptions opts) {
        return QAlignReuse.storiesRewardModelWithRandomHead(opts, 7);
    }
}
