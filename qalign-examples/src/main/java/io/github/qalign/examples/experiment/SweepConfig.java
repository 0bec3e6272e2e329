package io.github.qalign.examples.experiment;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.answer.IdentityAnswerExtractor;
import io.github.qalign.model.SamplingConfig;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a sweep runs. Build with {@link #builder()}.
 *
 * @param prompts   the prompt texts, non-empty
 * @param methods   the methods, non-empty
 * @param maxBudget N: samples per prompt of the independent run, and chain states per prompt of QAlign
 *                  ({@code N - 1} steps after the initial sample); budgets 1, 2, 4, ..., N are read from these runs
 * @param beta      QAlign's target temperature (and WMV's importance weights), finite and &gt; 0
 * @param sampling  the base sampling configuration (temperature, completion cap)
 * @param seed      the seed of every random draw
 * @param extractor answer extractor for MV and WMV
 * @param batchPrompts prompts per batched model call in the independent run (memory/progress granularity; part of
 *                  the random-stream layout, so results depend on it)
 */
public record SweepConfig(List<String> prompts, Set<Method> methods, int maxBudget, double beta,
                          SamplingConfig sampling, long seed, AnswerExtractor extractor, int batchPrompts) {

    public SweepConfig {
        prompts = List.copyOf(Objects.requireNonNull(prompts, "prompts"));
        Objects.requireNonNull(methods, "methods");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(extractor, "extractor");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("methods must not be empty");
        }
        methods = Set.copyOf(EnumSet.copyOf(methods));
        if (maxBudget < 1) {
            throw new IllegalArgumentException("maxBudget must be >= 1, got " + maxBudget);
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        if (batchPrompts < 1) {
            throw new IllegalArgumentException("batchPrompts must be >= 1, got " + batchPrompts);
        }
    }

    /** A builder: all methods, budget 16, beta 1, default sampling, seed 1, exact-text answers, 8 prompts/batch. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SweepConfig}. */
    public static final class Builder {
        private List<String> prompts = List.of();
        private Set<Method> methods = EnumSet.allOf(Method.class);
        private int maxBudget = 16;
        private double beta = 1.0;
        private SamplingConfig sampling = SamplingConfig.defaults();
        private long seed = 1;
        private AnswerExtractor extractor = new IdentityAnswerExtractor();
        private int batchPrompts = 8;

        private Builder() {
        }

        /** The prompt texts (required). */
        public Builder prompts(List<String> p) {
            this.prompts = p;
            return this;
        }

        /** The methods to run. */
        public Builder methods(Set<Method> m) {
            this.methods = m;
            return this;
        }

        /** The largest budget N. */
        public Builder maxBudget(int n) {
            this.maxBudget = n;
            return this;
        }

        /** QAlign's beta. */
        public Builder beta(double b) {
            this.beta = b;
            return this;
        }

        /** The base sampling configuration. */
        public Builder sampling(SamplingConfig s) {
            this.sampling = s;
            return this;
        }

        /** The seed. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The answer extractor of MV/WMV. */
        public Builder extractor(AnswerExtractor e) {
            this.extractor = e;
            return this;
        }

        /** Prompts per batched model call of the independent run. */
        public Builder batchPrompts(int n) {
            this.batchPrompts = n;
            return this;
        }

        /** The configuration; throws {@link IllegalArgumentException} naming a bad parameter. */
        public SweepConfig build() {
            return new SweepConfig(prompts, methods, maxBudget, beta, sampling, seed, extractor, batchPrompts);
        }
    }
}
