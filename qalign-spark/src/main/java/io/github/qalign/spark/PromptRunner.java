package io.github.qalign.spark;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.ChainStep;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.PromptSamples;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.BestOfN;
import io.github.qalign.select.Budgets;
import io.github.qalign.select.MajorityVote;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.VoteSelection;
import io.github.qalign.select.WeightedMajorityVote;
import io.github.qalign.select.Weighting;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Runs a job's methods on one prompt, without Spark: the unit of work every Spark task repeats, and the single-JVM
 * reference a distributed run must equal.
 *
 * <p>Every random draw of a (prompt, method) comes from a generator seeded by
 * {@link #seed(long, String, Method)}: a 64-bit mix of the job seed, the prompt id and the method. Results therefore
 * depend only on (settings, models, prompt), never on the partitioning, the other prompts of a task, the thread or a
 * task retry. A failure of one prompt becomes one {@link ResultRow#FAILED} row instead of an exception, so a poison
 * prompt cannot fail a job.
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
     * The seed of a (prompt, method): SplitMix64's finalizer over the job seed, the FNV-1a hash of the id's UTF-8
     * bytes and the method's ordinal.
     *
     * @param jobSeed the job seed
     * @param id      the prompt id
     * @param method  the method
     * @return the seed
     */
    public static long seed(long jobSeed, String id, Method method) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(mix(jobSeed ^ mix(h)) + method.ordinal());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Every method's rows for one prompt: one row per budget (1, 2, 4, ..., budget; for QAlign the multiples of the
     * chain count among them), or a single failed row naming the error.
     *
     * @param input  the prompt
     * @param models the models
     * @return the rows, methods in settings order, budgets increasing
     */
    public List<ResultRow> run(PromptInput input, LoadedModels models) {
        List<ResultRow> rows = new ArrayList<>();
        for (Method m : settings.methods()) {
            try {
                Prompt prompt = models.policy().prompt(input.messages());
                rows.addAll(m == Method.QALIGN ? qalign(input, prompt, models) : independent(m, input, prompt,
                        models));
            } catch (RuntimeException | StackOverflowError e) {
                rows.add(new ResultRow(input.id(), m.cliName(), 0, ResultRow.FAILED, describe(e), null, null, null,
                        null, null, null, 0, 0, 0, 0, 0, null));
            }
        }
        return rows;
    }

    private static String describe(Throwable e) {
        String msg = e.getClass().getName() + ": " + e.getMessage();
        return msg.length() <= 2000 ? msg : msg.substring(0, 2000) + "...";
    }

    private List<ResultRow> qalign(PromptInput input, Prompt prompt, LoadedModels models) {
        int chains = settings.chains();
        int perChain = settings.budget() / chains;
        QAlignSampler sampler = QAlignSampler.builder().languageModel(models.policy())
                .rewardModel(models.reward()).beta(settings.beta()).steps(perChain - 1).chainsPerPrompt(chains)
                .sampling(settings.sampling()).build();
        PromptResult pr = sampler.run(prompt, new SplittableRandom(seed(settings.seed(), input.id(),
                Method.QALIGN))).prompt(0);
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

    private List<ResultRow> independent(Method m, PromptInput input, Prompt prompt, LoadedModels models) {
        IndependentSampler sampler = IndependentSampler.builder().languageModel(models.policy())
                .rewardModel(models.reward()).samplesPerPrompt(settings.budget()).sampling(settings.sampling())
                .build();
        PromptSamples ps = sampler.run(prompt, new SplittableRandom(seed(settings.seed(), input.id(), m)))
                .prompts().get(0);
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
