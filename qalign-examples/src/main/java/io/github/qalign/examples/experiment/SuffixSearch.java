package io.github.qalign.examples.experiment;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * SR-BoN, the "best-of-n over suffix resamples" baseline of docs/overoptimization-design.md: QAlign's QUEST suffix
 * proposal without its Metropolis-Hastings test. From one scored sample {@code y^0}, each step draws
 * {@code i ~ Uniform{0, ..., |b|-1}} where {@code b} is the CURRENT BEST sample (highest reward so far, ties keep the
 * earlier), keeps {@code b[0:i]}, lets the language model continue it into {@code y^t} (total length capped as
 * QAlign's) and scores it; {@code b} becomes {@code y^t} when {@code r(y^t) > r(b)}. The answer at budget {@code n}
 * is the best of {@code y^0 .. y^{n-1}}.
 *
 * <p>All prompts advance in lockstep (one {@code generate} and one {@code score} call per step). Random draws, all
 * from the generator passed to {@link #run}: one {@code nextLong()} per prompt (initial request seeds), then per step
 * one {@code nextInt(|b|)} per prompt (none when {@code |b| = 0}: index 0) and one {@code nextLong()} per prompt. The
 * same seed, models and configuration give the same result.
 */
public final class SuffixSearch {

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final SamplingConfig sampling;
    private final int steps;

    /**
     * @param languageModel the policy
     * @param rewardModel   the reward model being maximised
     * @param sampling      the policy's sampling configuration
     * @param steps         resamples after the initial sample, &gt;= 0
     */
    public SuffixSearch(LanguageModel languageModel, RewardModel rewardModel, SamplingConfig sampling, int steps) {
        this.languageModel = Objects.requireNonNull(languageModel, "languageModel");
        this.rewardModel = Objects.requireNonNull(rewardModel, "rewardModel");
        this.sampling = Objects.requireNonNull(sampling, "sampling");
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        this.steps = steps;
    }

    /**
     * One prompt's search.
     *
     * @param prompt  the prompt
     * @param samples {@code y^0 .. y^T}, each scored
     * @param usages  the compute of each sample (its generation and its scoring)
     * @param best    {@code best.get(t)}: index of the best sample among {@code y^0 .. y^t}
     */
    public record Search(Prompt prompt, List<ScoredSample> samples, List<ComputeUsage> usages, List<Integer> best) {
        public Search {
            samples = List.copyOf(samples);
            usages = List.copyOf(usages);
            best = List.copyOf(best);
        }

        /** The answer at budget {@code n} (samples {@code y^0 .. y^{n-1}}), n in [1, T + 1]. */
        public int chosen(int n) {
            return best.get(n - 1);
        }

        /** Compute of the first {@code n} samples. */
        public ComputeUsage usage(int n) {
            ComputeUsage u = ComputeUsage.ZERO;
            for (int i = 0; i < n; i++) {
                u = u.plus(usages.get(i));
            }
            return u;
        }
    }

    /**
     * Runs one search per prompt, in lockstep.
     *
     * @param prompts the prompts, non-empty
     * @param rng     the source of every random draw
     * @return one search per prompt, in order
     * @throws ModelException if a model breaks its contract (wrong batch size, continuation not extending the prefix)
     */
    public List<Search> run(List<Prompt> prompts, RandomGenerator rng) {
        Objects.requireNonNull(rng, "rng");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
        int p = prompts.size();
        long lmParams = languageModel.parameterCount();
        long rmParams = rewardModel.parameterCount();
        List<List<ScoredSample>> samples = new ArrayList<>();
        List<List<ComputeUsage>> usages = new ArrayList<>();
        List<List<Integer>> best = new ArrayList<>();
        List<GenerationRequest> req = new ArrayList<>(p);
        for (Prompt prompt : prompts) {
            req.add(GenerationRequest.fresh(prompt, rng.nextLong()));
            samples.add(new ArrayList<>());
            usages.add(new ArrayList<>());
            best.add(new ArrayList<>());
        }
        append(req, samples, usages, lmParams, rmParams, "initial sample");
        for (int c = 0; c < p; c++) {
            best.get(c).add(0);
        }
        for (int t = 1; t <= steps; t++) {
            int[] index = new int[p];
            for (int c = 0; c < p; c++) {
                int len = bestSample(samples, best, c).completion().length();
                index[c] = len == 0 ? 0 : rng.nextInt(len);
            }
            req = new ArrayList<>(p);
            for (int c = 0; c < p; c++) {
                req.add(new GenerationRequest(prompts.get(c), bestSample(samples, best, c).completion()
                        .prefix(index[c]), rng.nextLong()));
            }
            append(req, samples, usages, lmParams, rmParams, "step " + t);
            for (int c = 0; c < p; c++) {
                List<Integer> b = best.get(c);
                int prev = b.get(b.size() - 1);
                boolean better = samples.get(c).get(t).reward() > samples.get(c).get(prev).reward();
                b.add(better ? t : prev);
            }
        }
        List<Search> out = new ArrayList<>(p);
        for (int c = 0; c < p; c++) {
            out.add(new Search(prompts.get(c), samples.get(c), usages.get(c), best.get(c)));
        }
        return out;
    }

    private static ScoredSample bestSample(List<List<ScoredSample>> samples, List<List<Integer>> best, int c) {
        List<Integer> b = best.get(c);
        return samples.get(c).get(b.get(b.size() - 1));
    }

    private void append(List<GenerationRequest> req, List<List<ScoredSample>> samples,
                        List<List<ComputeUsage>> usages, long lmParams, long rmParams, String phase) {
        List<Generation> gens = languageModel.generate(req, sampling);
        if (gens == null || gens.size() != req.size()) {
            throw new ModelException("language model returned " + (gens == null ? "null" : gens.size() + " generations")
                    + " for " + req.size() + " requests (" + phase + ")");
        }
        List<RewardRequest> rreq = new ArrayList<>(req.size());
        for (int c = 0; c < req.size(); c++) {
            Generation g = gens.get(c);
            if (g == null || !g.completion().startsWith(req.get(c).prefix())) {
                throw new ModelException("language model completion does not extend the request prefix for prompt "
                        + c + " (" + phase + ")");
            }
            rreq.add(RewardRequest.of(req.get(c).prompt(), g));
        }
        List<Reward> rewards = rewardModel.score(rreq);
        if (rewards == null || rewards.size() != req.size()) {
            throw new ModelException("reward model returned " + (rewards == null ? "null" : rewards.size()
                    + " rewards") + " for " + req.size() + " requests (" + phase + ")");
        }
        for (int c = 0; c < req.size(); c++) {
            Generation g = gens.get(c);
            Reward r = rewards.get(c);
            if (r == null || !Double.isFinite(r.value())) {
                throw new ModelException("reward model returned " + (r == null ? "null" : r.value())
                        + " for prompt " + c + " (" + phase + ")");
            }
            samples.get(c).add(new ScoredSample(g.completion(), g.text(), r.value(), g.finishReason()));
            usages.get(c).add(new ComputeUsage(g.usage(), r.usage(), lmParams, rmParams));
        }
    }
}
