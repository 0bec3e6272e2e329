package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Generates and scores one batch of requests for a sampler: the language model's {@code generate} over every request,
 * then the reward model's {@code score} over every generation (each request's own prompt), both validated by
 * {@link ModelCalls}; each request's {@link ScoredSample} and {@link ComputeUsage}, and their sum.
 *
 * <p>With a {@code maxBatchSize} below the number of requests the batch goes out as consecutive chunks of at most
 * that many requests: all {@code generate} chunks in order, then all {@code score} chunks. The scorer draws no random
 * number: each request carries its own seed.
 */
final class BatchScorer {

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final SamplingConfig sampling;
    private final int maxBatchSize;
    private final long lmParams;
    private final long rmParams;

    /**
     * @param maxBatchSize the largest number of requests per model call, &gt;= 1 ({@link Integer#MAX_VALUE}: one
     *                     call each)
     */
    BatchScorer(LanguageModel languageModel, RewardModel rewardModel, SamplingConfig sampling, int maxBatchSize) {
        this.languageModel = languageModel;
        this.rewardModel = rewardModel;
        this.sampling = sampling;
        this.maxBatchSize = maxBatchSize;
        this.lmParams = languageModel.parameterCount();
        this.rmParams = rewardModel.parameterCount();
    }

    /** The language model's parameter count, read once at construction. */
    long lmParams() {
        return lmParams;
    }

    /** The reward model's parameter count, read once at construction. */
    long rmParams() {
        return rmParams;
    }

    /** Usage of nothing yet, with this scorer's parameter counts. */
    ComputeUsage none() {
        return ComputeUsage.none(lmParams, rmParams);
    }

    /**
     * The scored samples of one batch, index-aligned with its requests.
     *
     * @param samples one per request
     * @param usages  one per request: the generation's and the reward's token usage
     * @param total   the sum of {@code usages}, in request order, starting from {@link #none()}
     */
    record Batch(List<ScoredSample> samples, List<ComputeUsage> usages, ComputeUsage total) {
    }

    /**
     * Generates and scores {@code requests}.
     *
     * @param requests the requests, not empty
     * @param where    names request {@code j} (index in {@code requests}) in error messages
     * @return the scored samples and usages, in request order
     * @throws io.github.qalign.model.ModelException if a model breaks its contract
     */
    Batch run(List<GenerationRequest> requests, IntFunction<String> where) {
        int total = requests.size();
        List<Generation> gens = generate(requests, where);
        List<RewardRequest> rreq = new ArrayList<>(total);
        for (int j = 0; j < total; j++) {
            rreq.add(RewardRequest.of(requests.get(j).prompt(), gens.get(j)));
        }
        List<Reward> rewards = score(rreq, where);
        List<ScoredSample> samples = new ArrayList<>(total);
        List<ComputeUsage> usages = new ArrayList<>(total);
        ComputeUsage sum = none();
        for (int j = 0; j < total; j++) {
            samples.add(sample(gens.get(j), rewards.get(j)));
            ComputeUsage u = usage(gens.get(j), rewards.get(j));
            usages.add(u);
            sum = sum.plus(u);
        }
        return new Batch(samples, usages, sum);
    }

    /** The language model's generations for {@code requests}, in chunks of at most {@code maxBatchSize}, validated. */
    List<Generation> generate(List<GenerationRequest> requests, IntFunction<String> where) {
        int total = requests.size();
        List<Generation> gens = new ArrayList<>(total);
        for (int from = 0, to; from < total; from = to) {
            to = from + Math.min(maxBatchSize, total - from); // no int overflow near Integer.MAX_VALUE
            int offset = from;
            gens.addAll(ModelCalls.generate(languageModel, requests.subList(from, to), sampling,
                    j -> where.apply(offset + j)));
        }
        return gens;
    }

    /** The reward model's rewards for {@code requests}, in chunks of at most {@code maxBatchSize}, validated. */
    List<Reward> score(List<RewardRequest> requests, IntFunction<String> where) {
        int total = requests.size();
        List<Reward> rewards = new ArrayList<>(total);
        for (int from = 0, to; from < total; from = to) {
            to = from + Math.min(maxBatchSize, total - from);
            int offset = from;
            rewards.addAll(ModelCalls.score(rewardModel, requests.subList(from, to), j -> where.apply(offset + j)));
        }
        return rewards;
    }

    /** A generation with its reward as a sample. */
    static ScoredSample sample(Generation g, Reward r) {
        return new ScoredSample(g.completion(), g.text(), r.value(), g.finishReason());
    }

    /** The usage of one generation and its reward, with this scorer's parameter counts. */
    ComputeUsage usage(Generation g, Reward r) {
        return new ComputeUsage(g.usage(), r.usage(), lmParams, rmParams);
    }
}
