package io.github.qalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Runs QAlign-style Metropolis-Hastings chains (suffix proposals at a uniform index, acceptance
 * {@code min(1, exp((r' - r) / beta) * |y| / |y'|)}) in lockstep batches and reads the models' token counters: how
 * many tokens the policy and the reward model actually computed per step, relative to the current |y|.
 */
public final class QAlignReuse {

    private QAlignReuse() {
    }

    /**
     * Counter totals.
     *
     * @param steps            proposals made (chains × steps)
     * @param sumCurrentLength sum over proposals of the current |y| (completion tokens)
     * @param policyNewTokens  policy tokens computed for proposals (computed input + generated)
     * @param policyReused     policy input tokens reused from the KV pool
     * @param rewardNewTokens  reward-model input tokens computed for proposals
     * @param rewardReused     reward-model input tokens reused
     * @param accepted         accepted proposals
     */
    public record Result(long steps, long sumCurrentLength, long policyNewTokens, long policyReused,
                         long rewardNewTokens, long rewardReused, long accepted) {

        /**
         * Policy tokens computed per step, as a fraction of the current |y|.
         *
         * @return policy tokens computed per step, as a fraction of the current |y|
         */
        public double policyNewPerStep() {
            return (double) policyNewTokens / sumCurrentLength;
        }

        /**
         * Reward-model tokens computed per step, as a fraction of the current |y|.
         *
         * @return reward-model tokens computed per step, as a fraction of the current |y|
         */
        public double rewardNewPerStep() {
            return (double) rewardNewTokens / sumCurrentLength;
        }

        @Override
        public String toString() {
            return String.format("steps=%d mean|y|=%.1f policy new/|y|=%.3f (reused %d) reward new/|y|=%.3f "
                            + "(reused %d) acceptance=%.2f", steps, (double) sumCurrentLength / steps,
                    policyNewPerStep(), policyReused, rewardNewPerStep(), rewardReused, (double) accepted / steps);
        }
    }

    /**
     * Runs {@code chains} chains for {@code steps} steps from the empty user prompt.
     *
     * @param policy policy
     * @param reward reward model
     * @param chains chains, advanced as one batch per step
     * @param steps  steps per chain
     * @param cap    total completion cap
     * @param beta   reward temperature
     * @param rng    every random draw
     * @return counter totals over the proposal steps (the initial samples excluded)
     */
    public static Result run(LanguageModel policy, RewardModel reward, int chains, int steps, int cap, double beta,
                             RandomGenerator rng) {
        Prompt prompt = policy.prompt("");
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(cap);
        List<GenerationRequest> fresh = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            fresh.add(GenerationRequest.fresh(prompt, rng.nextLong()));
        }
        List<Generation> state = new ArrayList<>(policy.generate(fresh, cfg));
        double[] r = new double[chains];
        List<Reward> r0 = reward.score(state.stream().map(g -> RewardRequest.of(prompt, g)).toList());
        for (int c = 0; c < chains; c++) {
            r[c] = r0.get(c).value();
        }
        long n = 0;
        long sumLen = 0;
        long pNew = 0;
        long pReused = 0;
        long rNew = 0;
        long rReused = 0;
        long acc = 0;
        for (int s = 0; s < steps; s++) {
            List<GenerationRequest> reqs = new ArrayList<>(chains);
            for (int c = 0; c < chains; c++) {
                TokenIds y = state.get(c).completion();
                int i = rng.nextInt(y.length());
                reqs.add(new GenerationRequest(prompt, y.prefix(i), rng.nextLong()));
            }
            List<Generation> props = policy.generate(reqs, cfg);
            List<Reward> rs = reward.score(props.stream().map(g -> RewardRequest.of(prompt, g)).toList());
            for (int c = 0; c < chains; c++) {
                Generation g = props.get(c);
                int len = state.get(c).completion().length();
                n++;
                sumLen += len;
                pNew += g.usage().computedInputTokens() + g.usage().generatedTokens();
                pReused += g.usage().reusedInputTokens();
                rNew += rs.get(c).usage().computedInputTokens();
                rReused += rs.get(c).usage().reusedInputTokens();
                double logA = (rs.get(c).value() - r[c]) / beta + Math.log((double) len / g.completion().length());
                if (Math.log(rng.nextDouble()) < logA) {
                    state.set(c, g);
                    r[c] = rs.get(c).value();
                    acc++;
                }
            }
        }
        return new Result(n, sumLen, pNew, pReused, rNew, rReused, acc);
    }

    /**
     * A Bradley-Terry reward model on the embedded stories260K backbone with a seeded random score head, sharing the
     * policy's tokenizer (scores policy ids directly). For measurements and tests of the reward path, not a trained
     * reward model.
     *
     * @param options runtime options
     * @param seed    seed of the score head (N(0, 0.1^2) entries)
     * @return the reward model (close it)
     */
    public static LlamaRewardModel storiesRewardModelWithRandomHead(LlamaOptions options, long seed) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(EmbeddedModels.stories260k());
             NDManager tmp = DjlRuntime.engine().newBaseManager()) {
            LlamaConfig c = ckpt.config();
            LlamaConfig rc = new LlamaConfig(LlamaConfig.SEQUENCE_CLASSIFICATION, c.vocabSize(), c.hiddenSize(),
                    c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(),
                    c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(),
                    c.tieWordEmbeddings(), 1, c.bosTokenId(), c.eosTokenIds(), c.padTokenId());
            Map<String, NDArray> w = ckpt.loadAll(tmp, DataType.FLOAT32);
            float[] score = new float[c.hiddenSize()];
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < score.length; i++) {
                score[i] = (float) r.nextGaussian() * 0.1f;
            }
            w.put("score.weight", tmp.create(score, new Shape(1, c.hiddenSize())));
            return new LlamaRewardModel(LlamaModel.create(rc, w, null, DataType.FLOAT32), null, options, true);
        }
    }
}
