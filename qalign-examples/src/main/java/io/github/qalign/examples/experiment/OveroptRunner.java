package io.github.qalign.examples.experiment;

import io.github.qalign.answer.IdentityAnswerExtractor;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.examples.task.GoldMetric;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.PromptSamples;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.Budgets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Runs the over-optimization experiment unit by unit (docs/overoptimization-design.md): for each seed, blocks of
 * {@link OveroptConfig#blockPrompts()} prompts; per block N independent samples per prompt (BoN, WMV, MV, MBR), one
 * QAlign chain of N states per prompt (QAlign-MBR, QAlign-MV) and one {@link SuffixSearch} of N samples per prompt
 * (SR-BoN), chains in lockstep. A finished block's {@link UnitResult}s go to the sink at once, so a caller that
 * persists them can resume with {@code unitsDone}.
 *
 * <p>Randomness: a block's streams come only from its seed and its block index within the seed (one generator, split
 * into independent / QAlign / search streams), so resuming, or running other seeds, does not change a block's
 * samples, choices, gold scores or rewards. Its compute accounting can change: prompt tokens that the models' prefix
 * caches still hold from the previous block (the story templates' shared openings) are counted as reused, not
 * computed, so the first block after a process start counts a few more tokens than the same block inside a longer
 * run (measured: +2.8% of BoN's FLOPs at budget 1, +0.6% at 8; see docs/results.md).
 */
public final class OveroptRunner {

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final GoldMetric gold;
    private final GoldMetric label;

    /**
     * @param languageModel the policy
     * @param rewardModel   the proxy reward model
     * @param gold          the gold rule
     * @param label         the proxy labelling rule (recorded per chosen answer, to read how the proxy was exploited)
     */
    public OveroptRunner(LanguageModel languageModel, RewardModel rewardModel, GoldMetric gold, GoldMetric label) {
        this.languageModel = Objects.requireNonNull(languageModel, "languageModel");
        this.rewardModel = Objects.requireNonNull(rewardModel, "rewardModel");
        this.gold = Objects.requireNonNull(gold, "gold");
        this.label = Objects.requireNonNull(label, "label");
    }

    /**
     * Runs the units from {@code unitsDone} on.
     *
     * @param config    what to run
     * @param unitsDone units already finished (a block boundary of an earlier run of the same config)
     * @param sink      receives each finished block's units, in unit order
     * @param progress  progress (units: units)
     * @throws IllegalArgumentException if {@code unitsDone} is not a block boundary
     */
    public void run(OveroptConfig config, int unitsDone, Consumer<List<UnitResult>> sink, Progress progress) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sink, "sink");
        int p = config.prompts().size();
        if (unitsDone < 0 || unitsDone > config.units()) {
            throw new IllegalArgumentException("unitsDone must be in [0, " + config.units() + "], got " + unitsDone);
        }
        progress.start("units (prompt x seed)", config.units() - unitsDone);
        for (int s = 0; s < config.seeds().size(); s++) {
            for (int from = 0, block = 0; from < p; from += config.blockPrompts(), block++) {
                int to = Math.min(p, from + config.blockPrompts());
                int start = s * p + from;
                int end = s * p + to;
                if (end <= unitsDone) {
                    continue;
                }
                if (start < unitsDone) {
                    throw new IllegalArgumentException("unitsDone " + unitsDone + " falls inside block " + block
                            + " of seed " + config.seeds().get(s) + " (units " + start + ".." + (end - 1) + ")");
                }
                sink.accept(block(config, s, block, from, to));
                progress.step(end - start);
            }
        }
        progress.finish();
    }

    /** The units of one block. */
    List<UnitResult> block(OveroptConfig config, int seedIndex, int block, int from, int to) {
        long seed = config.seeds().get(seedIndex);
        SplittableRandom root = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + block);
        SplittableRandom indRng = root.split();
        SplittableRandom chainRng = root.split();
        SplittableRandom searchRng = root.split();
        int n = config.maxBudget();
        int[] budgets = Budgets.powersOfTwo(n);
        List<Prompt> prompts = config.prompts().subList(from, to).stream().map(languageModel::prompt).toList();
        Selections sel = new Selections(new IdentityAnswerExtractor(), config.beta());

        IndependentResult ind = IndependentSampler.builder().languageModel(languageModel).rewardModel(rewardModel)
                .samplesPerPrompt(n).sampling(config.sampling()).build().run(prompts, indRng);
        QAlignResult chains = QAlignSampler.builder().languageModel(languageModel).rewardModel(rewardModel)
                .beta(config.beta()).steps(n - 1).chainsPerPrompt(1).sampling(config.sampling()).build()
                .run(prompts, chainRng);
        List<SuffixSearch.Search> searches = new SuffixSearch(languageModel, rewardModel, config.sampling(), n - 1)
                .run(prompts, searchRng);

        List<UnitResult> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String text = prompts.get(i).text();
            Map<String, UnitResult.Curve> curves = new LinkedHashMap<>();
            PromptSamples ps = ind.prompts().get(i);
            List<ScoredSample> samples = ps.samples();
            curves.put(OveroptMethod.BON.key(), curve(text, samples, budgets, sel.sweep(Method.BON, samples),
                    ps::usage));
            curves.put(OveroptMethod.WMV.key(), curve(text, samples, budgets, sel.sweep(Method.WMV, samples),
                    ps::usage));
            curves.put(OveroptMethod.MV.key(), curve(text, samples, budgets, sel.sweep(Method.MV, samples),
                    ps::usage));
            curves.put(OveroptMethod.MBR.key(), curve(text, samples, budgets, sel.sweep(Method.MBR, samples),
                    ps::usage));
            PromptResult pr = chains.prompts().get(i);
            List<ScoredSample> states = pr.samples();
            curves.put(OveroptMethod.QALIGN_MBR.key(), curve(text, states, budgets,
                    sel.sweep(Method.QALIGN, states), b -> pr.usage(b - 1)));
            curves.put(OveroptMethod.QALIGN_MV.key(), curve(text, states, budgets, sel.sweep(Method.MV, states),
                    b -> pr.usage(b - 1)));
            SuffixSearch.Search search = searches.get(i);
            List<AtBudget<Integer>> srChosen = new ArrayList<>();
            for (int b : budgets) {
                srChosen.add(new AtBudget<>(b, search.chosen(b)));
            }
            curves.put(OveroptMethod.SR_BON.key(), curve(text, search.samples(), budgets, srChosen, search::usage));
            out.add(new UnitResult(from + i, seed, curves, mean(text, samples), mean(text, states),
                    pr.chains().get(0).acceptedCount(), n - 1));
        }
        return out;
    }

    private double mean(String prompt, List<ScoredSample> samples) {
        double s = 0;
        for (ScoredSample x : samples) {
            s += score(gold, prompt, x);
        }
        return s / samples.size();
    }

    private UnitResult.Curve curve(String prompt, List<ScoredSample> samples, int[] budgets,
                                   List<AtBudget<Integer>> chosen, IntFunction<ComputeUsage> usage) {
        if (chosen.size() != budgets.length) {
            throw new IllegalStateException("selector returned " + chosen.size() + " budgets, expected "
                    + budgets.length);
        }
        List<Double> g = new ArrayList<>();
        List<Double> j = new ArrayList<>();
        List<Double> r = new ArrayList<>();
        List<Double> f = new ArrayList<>();
        List<Double> t = new ArrayList<>();
        for (int k = 0; k < budgets.length; k++) {
            if (chosen.get(k).budget() != budgets[k]) {
                throw new IllegalStateException("selector budget " + chosen.get(k).budget() + " != " + budgets[k]);
            }
            ScoredSample s = samples.get(chosen.get(k).selection());
            g.add(score(gold, prompt, s));
            j.add(score(label, prompt, s));
            r.add(s.reward());
            ComputeUsage u = usage.apply(budgets[k]);
            f.add(u.flops());
            t.add((double) u.lm().computedTokens());
        }
        return new UnitResult.Curve(g, j, r, f, t);
    }

    private static double score(GoldMetric m, String prompt, ScoredSample s) {
        double v = m.score(prompt, s.text());
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalStateException("metric '" + m.description() + "' returned " + v + " (expected [0, 1])");
        }
        return v;
    }
}
