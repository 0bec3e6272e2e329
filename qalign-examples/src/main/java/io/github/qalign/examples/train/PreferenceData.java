package io.github.qalign.examples.train;

import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.task.GoldMetric;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * On-policy preference data, as in App. F of the paper: {@code k} samples of the policy per prompt, judged by the
 * gold metric; a prompt contributes ONE pair (its first gold-good sample, its first gold-bad sample) if it has
 * both, else nothing.
 *
 * @param pairs          the pairs, in prompt order
 * @param prompts        prompts sampled
 * @param samples        samples drawn
 * @param goldRate       mean gold score over all samples (the policy's base rate on these prompts)
 * @param generatedTokens tokens generated
 */
public record PreferenceData(List<PreferencePair> pairs, int prompts, int samples, double goldRate,
                             long generatedTokens) {

    public PreferenceData {
        pairs = List.copyOf(pairs);
    }

    /**
     * Samples and pairs.
     *
     * @param lm          the policy
     * @param prompts     prompt texts
     * @param k           samples per prompt, &gt;= 2
     * @param sampling    the policy's sampling configuration
     * @param gold        the judgement; a score &gt;= 0.5 is good
     * @param seed        seed of the samples
     * @param batchPrompts prompts per batched generate call
     * @param progress    progress (units: prompts)
     * @return the pairs and statistics
     */
    public static PreferenceData build(LanguageModel lm, List<String> prompts, int k, SamplingConfig sampling,
                                       GoldMetric gold, long seed, int batchPrompts, Progress progress) {
        Objects.requireNonNull(lm, "lm");
        Objects.requireNonNull(gold, "gold");
        if (k < 2) {
            throw new IllegalArgumentException("samples per prompt must be >= 2, got " + k);
        }
        if (batchPrompts < 1) {
            throw new IllegalArgumentException("batchPrompts must be >= 1, got " + batchPrompts);
        }
        SplittableRandom root = new SplittableRandom(seed);
        List<PreferencePair> pairs = new ArrayList<>();
        double goldSum = 0;
        long tokens = 0;
        progress.start("on-policy samples", prompts.size());
        for (int from = 0; from < prompts.size(); from += batchPrompts) {
            int to = Math.min(prompts.size(), from + batchPrompts);
            List<Prompt> batch = prompts.subList(from, to).stream().map(lm::prompt).toList();
            List<GenerationRequest> requests = new ArrayList<>();
            SplittableRandom seeds = root.split(); // request seeds in order: the stream the committed RM was built on
            for (Prompt p : batch) {
                for (int i = 0; i < k; i++) {
                    requests.add(GenerationRequest.fresh(p, seeds.nextLong()));
                }
            }
            List<Generation> gens = lm.generate(requests, sampling);
            for (int pi = 0; pi < batch.size(); pi++) {
                Prompt p = batch.get(pi);
                Generation good = null;
                Generation bad = null;
                for (int i = 0; i < k; i++) {
                    Generation g = gens.get(pi * k + i);
                    tokens += g.continuation().length();
                    double s = gold.score(p.text(), g.text());
                    goldSum += s;
                    if (s >= 0.5 && good == null) {
                        good = g;
                    } else if (s < 0.5 && bad == null) {
                        bad = g;
                    }
                }
                if (good != null && bad != null) {
                    pairs.add(new PreferencePair(p, good.completion(), good.text(), bad.completion(), bad.text()));
                }
            }
            progress.step(to - from);
        }
        progress.finish();
        int samples = prompts.size() * k;
        return new PreferenceData(pairs, prompts.size(), samples, goldSum / samples, tokens);
    }
}
