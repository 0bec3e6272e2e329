package io.github.qalign.examples.experiment;

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
import io.github.qalign.sampler.QAlignListener;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.Budgets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Runs a {@link SweepConfig}: ONE independent run of N samples per prompt shared by BoN, MV, WMV and MBR, and ONE
 * QAlign run of one chain per prompt with N - 1 steps (N states); every budget 1, 2, 4, ..., N is read from these
 * runs. Each chosen answer is scored by the gold metric and by the reward model; compute is the real token usage
 * of the run truncated at the budget.
 *
 * <p>Randomness: the seed makes two independent streams (independent run, QAlign run), so adding or removing a
 * method does not change the others' samples. The independent run is drawn in batches of
 * {@link SweepConfig#batchPrompts()} prompts, each from its own split stream, in prompt order.
 */
public final class SweepRunner {

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final GoldMetric gold;

    /**
     * @param languageModel the policy
     * @param rewardModel   the proxy reward model
     * @param gold          the gold metric the answers are judged by
     */
    public SweepRunner(LanguageModel languageModel, RewardModel rewardModel, GoldMetric gold) {
        this.languageModel = Objects.requireNonNull(languageModel, "languageModel");
        this.rewardModel = Objects.requireNonNull(rewardModel, "rewardModel");
        this.gold = Objects.requireNonNull(gold, "gold");
    }

    /**
     * Runs the sweep.
     *
     * @param config   what to run
     * @param progress progress callbacks
     * @return the measured points
     */
    public SweepResult run(SweepConfig config, Progress progress) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(progress, "progress");
        long t0 = System.nanoTime();
        SplittableRandom root = new SplittableRandom(config.seed());
        SplittableRandom independentRng = root.split();
        SplittableRandom qalignRng = root.split();
        List<Prompt> prompts = config.prompts().stream().map(languageModel::prompt).toList();
        int n = config.maxBudget();
        int[] budgets = Budgets.powersOfTwo(n);
        Selections selections = new Selections(config.extractor(), config.beta());
        Map<Method, Accumulator[]> acc = new EnumMap<>(Method.class);
        for (Method m : config.methods()) {
            Accumulator[] a = new Accumulator[budgets.length];
            for (int b = 0; b < budgets.length; b++) {
                a[b] = new Accumulator();
            }
            acc.put(m, a);
        }

        OptionalDouble baseGold = OptionalDouble.empty();
        if (config.methods().stream().anyMatch(Method::usesIndependentSamples)) {
            IndependentSampler sampler = IndependentSampler.builder().languageModel(languageModel)
                    .rewardModel(rewardModel).samplesPerPrompt(n).sampling(config.sampling()).build();
            progress.start("independent samples", (long) prompts.size() * n);
            double goldSum = 0;
            long goldCount = 0;
            long independentSeed = independentRng.nextLong(); // one seed for every chunk: per-prompt results
            for (int from = 0; from < prompts.size(); from += config.batchPrompts()) {
                int to = Math.min(prompts.size(), from + config.batchPrompts());
                IndependentResult r = sampler.run(prompts.subList(from, to), independentSeed);
                for (PromptSamples ps : r.prompts()) {
                    String promptText = ps.prompt().text();
                    List<ScoredSample> samples = ps.samples();
                    double[] g = goldScores(promptText, samples);
                    for (double v : g) {
                        goldSum += v;
                        goldCount++;
                    }
                    for (Method m : config.methods()) {
                        if (m.usesIndependentSamples()) {
                            record(acc.get(m), budgets, selections.sweep(m, samples), samples, g,
                                    b -> ps.usage(b));
                        }
                    }
                }
                progress.step((long) (to - from) * n);
            }
            progress.finish();
            baseGold = OptionalDouble.of(goldSum / goldCount);
        }

        OptionalDouble chainGold = OptionalDouble.empty();
        OptionalDouble acceptance = OptionalDouble.empty();
        if (config.methods().contains(Method.QALIGN)) {
            progress.start("QAlign steps", n);
            QAlignSampler sampler = QAlignSampler.builder().languageModel(languageModel).rewardModel(rewardModel)
                    .beta(config.beta()).steps(n - 1).chainsPerPrompt(1).sampling(config.sampling())
                    .listener(new QAlignListener() {
                        @Override
                        public void onInit(InitEvent event) {
                            progress.step(1);
                        }

                        @Override
                        public void onStep(StepEvent event) {
                            progress.step(1);
                        }
                    }).build();
            QAlignResult r = sampler.run(prompts, qalignRng.nextLong());
            progress.finish();
            double goldSum = 0;
            long goldCount = 0;
            for (PromptResult pr : r.prompts()) {
                List<ScoredSample> states = pr.samples();
                double[] g = goldScores(pr.prompt().text(), states);
                for (double v : g) {
                    goldSum += v;
                    goldCount++;
                }
                record(acc.get(Method.QALIGN), budgets, selections.sweep(Method.QALIGN, states), states, g,
                        b -> pr.usage(b - 1));
            }
            chainGold = OptionalDouble.of(goldSum / goldCount);
            acceptance = n > 1 ? OptionalDouble.of(r.acceptanceRate()) : OptionalDouble.empty();
        }

        List<SweepPoint> points = new ArrayList<>();
        for (Method m : Method.values()) {
            Accumulator[] a = acc.get(m);
            if (a == null) {
                continue;
            }
            for (int b = 0; b < budgets.length; b++) {
                points.add(a[b].point(m, budgets[b]));
            }
        }
        return new SweepResult(config, points, baseGold, chainGold, acceptance, (System.nanoTime() - t0) / 1e9);
    }

    private double[] goldScores(String prompt, List<ScoredSample> samples) {
        double[] g = new double[samples.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = gold.score(prompt, samples.get(i).text());
            if (!(g[i] >= 0 && g[i] <= 1)) {
                throw new IllegalStateException("gold metric returned " + g[i] + " (expected [0, 1]) for '"
                        + samples.get(i).text() + "'");
            }
        }
        return g;
    }

    private interface UsageAt {
        ComputeUsage at(int budget);
    }

    private static void record(Accumulator[] acc, int[] budgets, List<AtBudget<Integer>> chosen,
                               List<ScoredSample> samples, double[] gold, UsageAt usage) {
        if (chosen.size() != budgets.length) {
            throw new IllegalStateException("selector returned " + chosen.size() + " budgets, expected "
                    + budgets.length);
        }
        for (int b = 0; b < budgets.length; b++) {
            AtBudget<Integer> c = chosen.get(b);
            if (c.budget() != budgets[b]) {
                throw new IllegalStateException("selector budget " + c.budget() + " != " + budgets[b]);
            }
            int idx = c.selection();
            acc[b].add(gold[idx], samples.get(idx).reward(), usage.at(budgets[b]));
        }
    }

    private static final class Accumulator {
        private int count;
        private double goldSum;
        private double goldSq;
        private double rewardSum;
        private double lmTokens;
        private double rmTokens;
        private double flops;

        void add(double g, double reward, ComputeUsage u) {
            count++;
            goldSum += g;
            goldSq += g * g;
            rewardSum += reward;
            lmTokens += u.lm().computedTokens();
            rmTokens += u.rm().computedTokens();
            flops += u.flops();
        }

        SweepPoint point(Method m, int budget) {
            double mean = goldSum / count;
            double var = count > 1 ? Math.max(0, (goldSq - count * mean * mean) / (count - 1)) : 0;
            return new SweepPoint(m, budget, count, mean, Math.sqrt(var / count), rewardSum / count,
                    lmTokens / count, rmTokens / count, flops / count);
        }
    }
}
