package io.github.qalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.diagnostics.QAlignReuse;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;

import java.util.Map;
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
        try (HfCheckpoint ckpt = HfCheckpoint.open(EmbeddedModels.stories260k());
             NDManager tmp = DjlRuntime.engine().newBaseManager()) {
            LlamaConfig c = ckpt.config();
            LlamaConfig rc = new LlamaConfig(LlamaConfig.SEQUENCE_CLASSIFICATION, c.vocabSize(), c.hiddenSize(),
                    c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(),
                    c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(),
                    c.tieWordEmbeddings(), 1, c.bosTokenId(), c.eosTokenIds(), c.padTokenId());
            Map<String, NDArray> w = ckpt.loadAll(tmp, DataType.FLOAT32);
            float[] score = new float[c.hiddenSize()];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < score.length; i++) {
                score[i] = (float) r.nextGaussian() * 0.1f;
            }
            w.put("score.weight", tmp.create(score, new Shape(1, c.hiddenSize())));
            return new LlamaRewardModel(LlamaModel.create(rc, w, null, DataType.FLOAT32), null, opts, true);
        }
    }
}
