package io.github.qalign.spark;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.ChainStep;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.KeyedPrompt;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.PromptSamples;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.BestOfN;
import io.github.qalign.select.Budgets;
import io.github.qalign.select.MajorityVote;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.VoteSelection;
import io.github.qalign.select.WeightedMajorityVote;
import io.github.qalign.select.Weighting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a job's methods on prompts, without Spark: the unit of work every Spark task repeats, and the single-JVM
 * reference a distributed run must equal.
 *
 * <p>Every random draw of a (prompt, method) comes from the per-prompt streams of qalign-core's samplers
 * ({@link KeyedPrompt}, keyed by the prompt id) under the method's seed {@link #seed(long, Method)}. Results therefore
 * depend only on (settings, models, prompt id), never on which prompts share a batch, the partitioning, the thread or
 * a task retry, so prompts are run in batches (one sampler run per method and batch). A failure of one prompt becomes
 * one {@link ResultRow#FAILED} row per method instead of an exception (a batch that fails is re-run prompt by prompt
 * to find the culprit), so a poison prompt cannot fail a job.
 */
public final class PromptRunner {

    private final JobSettings settings;

    /**
     * A runner for these settings.
     *
     * @param settings the job settings
     */
    public PromptRunner(JobSettings settings) {
        this.settings = settings;
    }

    /**
     * The seed of a method's sampler runs: SplitMix64's finalizer over the job seed and the method's ordinal (so
     * best-of-n's samples are not QAlign's initial states).
     *
     * @param jobSeed the job seed
     * @param method  the method
     * @return the seed
     */
    public static long seed(long jobSeed, Method method) {
        return mix(mix(jobSeed) + method.ordinal());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Every method's rows for one prompt: one row per budget (1, 2, 4, ..., budget; for QAlign the multiples of the
     * chain count among them), or one failed row per method naming the error.
     *
     * @param input  the prompt
     * @param models the models
     * @return the rows, methods in settings order, budgets increasing
     */
    public List<ResultRow> run(PromptInput input, LoadedModels models) {
        return run(List.of(input), models);
    }

    /**
     * The rows of several prompts, run together (one sampler run per method): prompt by prompt in input order, each
     * prompt's rows as {@link #run(PromptInput, LoadedModels)} gives them, whatever the batch.
     *
     * @param inputs the prompts, ids unique
     * @param models the models
     * @return the rows
     */
    public List<ResultRow> run(List<PromptInput> inputs, LoadedModels models) {
        List<ResultRow> out = new ArrayList<>();
        runEach(inputs, models).forEach(out::addAll);
        return out;
    }

    /**
     * As {@link #run(List, LoadedModels)}, the rows grouped per prompt.
     *
     * @param inputs the prompts
     * @param models the models
     * @return one list of rows per prompt, in input order
     */
    public List<List<ResultRow>> runEach(List<PromptInput> inputs, LoadedModels models) {
        List<List<ResultRow>> perPrompt = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            perPrompt.add(new ArrayList<>());
        }
        for (Method m : settings.methods()) {
            try {
                List<List<ResultRow>> rows = runMethod(m, inputs, models);
                for (int i = 0; i < inputs.size(); i++) {
                    perPrompt.get(i).addAll(rows.get(i));
                }
            } catch (RuntimeException | StackOverflowError batchFailure) {
                for (int i = 0; i < inputs.size(); i++) {
                    perPrompt.get(i).addAll(inputs.size() == 1 ? List.of(failed(inputs.get(i), m, batchFailure))
                            : runAlone(m, inputs.get(i), models));
                }
            }
        }
        return perPrompt;
    }

    private List<ResultRow> runAlone(Method m, PromptInput input, LoadedModels models) {
        try {
            return runMethod(m, List.of(input), models).get(0);
        } catch (RuntimeException | StackOverflowError e) {
            return List.of(failed(input, m, e));
        }
    }

    private static ResultRow failed(PromptInput input, Method m, Throwable e) {
        return new ResultRow(input.id(), m.cliName(), 0, ResultRow.FAILED, describe(e), null, null, null, null,
                null, null, 0, 0, 0, 0, 0, null);
    }

    private List<List<ResultRow>> runMethod(Method m, List<PromptInput> inputs, LoadedModels models) {
        List<KeyedPrompt> keyed = new ArrayList<>(inputs.size());
        for (PromptInput in : inputs) {
            keyed.add(KeyedPrompt.of(models.policy().prompt(in.messages()), in.id()));
        }
        return m == Method.QALIGN ? qalign(inputs, keyed, models) : independent(m, inputs, keyed, models);
    }

    private static String describe(Throwable e) {
        String msg = e.getClass().getName() + ": " + e.getMessage();
        return msg.length() <= 2000 ? msg : msg.substring(0, 2000) + "...";
    }

    private List<List<ResultRow>> qalign(List<PromptInput> inputs, List<KeyedPrompt> keyed, LoadedModels models) {
        int chains = settings.chains();
        int perChain = settings.budget() / chains;
        QAlignSampler sampler = QAlignSampler.builder().languageModel(models.policy())
                .rewardModel(models.reward()).beta(settings.beta()).steps(perChain - 1).chainsPerPrompt(chains)
                .sampling(settings.sampling()).build();
        QAlignResult result = sampler.runKeyed(keyed, seed(settings.seed(), Method.QALIGN));
        List<List<ResultRow>> out = new ArrayList<>();
        for (int p = 0; p < inputs.size(); p++) {
            out.add(qalignRows(inputs.get(p), result.prompt(p)));
        }
        return out;
    }

    private List<ResultRow> qalignRows(PromptInput input, PromptResult pr) {
        int chains = settings.chains();
        AnswerExtractor ex = settings.answer().extractor();
        List<ResultRow> rows = new ArrayList<>();
        for (int b : Budgets.powersOfTwo(settings.budget())) {
            if (b % chains != 0) {
                continue;
            }
            int k = b / chains - 1;
            List<ScoredSample> samples = pr.samples(k);
            ScoredSample chosen;
            String answer;
            if (settings.answer() == AnswerFormat.TEXT) {
                chosen = Mbr.rouge1(Weighting.uniform()).select(samples).sample();
                answer = ex.extract(chosen.text()).orElse(null);
            } else {
                VoteSelection v = new MajorityVote(ex).select(samples);
                chosen = samples.get(v.index().orElse(0));
                answer = v.answer().orElse(null);
            }
            Double acceptance = k == 0 ? null : acceptance(pr, k);
            List<ResultRow.TraceSample> trace = settings.trace() && b == settings.budget() ? trace(pr) : null;
            rows.add(row(input, Method.QALIGN, b, chosen, answer, settings.beta(), acceptance, pr.usage(k), trace));
        }
        return rows;
    }

    private static List<ResultRow.TraceSample> trace(PromptResult pr) {
        List<ResultRow.TraceSample> out = new ArrayList<>();
        for (ChainResult c : pr.chains()) {
            out.add(new ResultRow.TraceSample(c.chainIndex(), 0, c.initial().text(), c.initial().reward(), true));
            for (ChainStep s : c.steps()) {
                out.add(new ResultRow.TraceSample(c.chainIndex(), s.step(), s.candidate().text(),
                        s.candidate().reward(), s.accepted()));
            }
        }
        return out;
    }

    private static double acceptance(PromptResult pr, int k) {
        long accepted = 0;
        long steps = 0;
        for (ChainResult c : pr.chains()) {
            for (ChainStep s : c.steps().subList(0, k)) {
                steps++;
                if (s.accepted()) {
                    accepted++;
                }
            }
        }
        return (double) accepted / steps;
    }

    private List<List<ResultRow>> independent(Method m, List<PromptInput> inputs, List<KeyedPrompt> keyed,
                                              LoadedModels models) {
        IndependentSampler sampler = IndependentSampler.builder().languageModel(models.policy())
                .rewardModel(models.reward()).samplesPerPrompt(settings.budget()).sampling(settings.sampling())
                .build();
        IndependentResult result = sampler.runKeyed(keyed, seed(settings.seed(), m));
        List<List<ResultRow>> out = new ArrayList<>();
        for (int p = 0; p < inputs.size(); p++) {
            out.add(independentRows(m, inputs.get(p), result.prompts().get(p)));
        }
        return out;
    }

    private List<ResultRow> independentRows(Method m, PromptInput input, PromptSamples ps) {
        AnswerExtractor ex = settings.answer().extractor();
        List<ResultRow> rows = new ArrayList<>();
        for (int b : Budgets.powersOfTwo(settings.budget())) {
            List<ScoredSample> samples = ps.samples(b);
            ScoredSample chosen;
            String answer;
            Double beta = null;
            switch (m) {
                case BON -> {
                    chosen = new BestOfN().select(samples).sample();
                    answer = ex.extract(chosen.text()).orElse(null);
                }
                case MBR -> {
                    chosen = Mbr.rouge1(Weighting.uniform()).select(samples).sample();
                    answer = ex.extract(chosen.text()).orElse(null);
                }
                case MV, WMV -> {
                    VoteSelection v = m == Method.MV ? new MajorityVote(ex).select(samples)
                            : new WeightedMajorityVote(ex, settings.beta()).select(samples);
                    chosen = samples.get(v.index().orElse(0));
                    answer = v.answer().orElse(null);
                    beta = m == Method.WMV ? settings.beta() : null;
                }
                default -> throw new IllegalStateException("not an independent-sample method: " + m);
            }
            List<ResultRow.TraceSample> trace = null;
            if (settings.trace() && b == settings.budget()) {
                trace = new ArrayList<>();
                for (int i = 0; i < ps.samples().size(); i++) {
                    ScoredSample s = ps.samples().get(i);
                    trace.add(new ResultRow.TraceSample(-1, i, s.text(), s.reward(), null));
                }
            }
            rows.add(row(input, m, b, chosen, answer, beta, null, ps.usage(b), trace));
        }
        return rows;
    }

    private ResultRow row(PromptInput input, Method m, int budget, ScoredSample chosen, String answer, Double beta,
                          Double acceptance, ComputeUsage u, List<ResultRow.TraceSample> trace) {
        Boolean correct = null;
        if (input.reference() != null) {
            Optional<String> ref = settings.answer().extractor().extract(input.reference());
            correct = answer != null && ref.isPresent() && ref.get().equals(answer);
        }
        return new ResultRow(input.id(), m.cliName(), budget, ResultRow.OK, null, answer, chosen.text(),
                chosen.reward(), correct, beta, acceptance, u.lm().computedInputTokens(),
                u.lm().reusedInputTokens(), u.lm().generatedTokens(), u.rm().computedTokens(), u.flops(), trace);
    }
}
