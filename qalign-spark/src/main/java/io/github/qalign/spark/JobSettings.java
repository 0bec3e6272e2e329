package io.github.qalign.spark;

import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.model.SamplingConfig;
import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * What a job runs for every prompt. Immutable and serializable (it travels to the executors); build it with
 * {@link #builder()}.
 *
 * @param methods     the methods, in output order; not empty, no duplicates
 * @param budget      samples per prompt and method, in [1, {@value #MAX_BUDGET}]; every method also reports the
 *                    budgets 1, 2, 4, ... below it from the same run
 * @param chains      QAlign chains per prompt; divides {@code budget}
 * @param beta        the QAlign / WMV temperature, finite and &gt; 0
 * @param temperature the policy's sampling temperature (part of the target), finite and &gt;= 0
 * @param topK        top-k (0 = off)
 * @param topP        top-p in (0, 1]
 * @param maxTokens   the total completion cap
 * @param seed        the job seed: with a prompt's id it fixes every draw of that prompt
 * @param answer      what votes are cast on and how the reference is compared
 * @param trace       whether each method's largest-budget row carries every sample ({@code trace} column)
 */
public record JobSettings(List<Method> methods, int budget, int chains, double beta, double temperature, int topK,
                          double topP, int maxTokens, long seed, AnswerFormat answer, boolean trace)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The largest budget a job accepts (a bound on per-prompt memory: every sample is kept until selection). */
    public static final int MAX_BUDGET = 65_536;

    /**
     * Validates the components.
     *
     * @param methods     see the record description
     * @param budget      see the record description
     * @param chains      see the record description
     * @param beta        see the record description
     * @param temperature see the record description
     * @param topK        see the record description
     * @param topP        see the record description
     * @param maxTokens   see the record description
     * @param seed        see the record description
     * @param answer      see the record description
     * @param trace       see the record description
     */
    public JobSettings {
        methods = List.copyOf(methods);
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("methods must not be empty");
        }
        if (EnumSet.copyOf(methods).size() != methods.size()) {
            throw new IllegalArgumentException("methods must not repeat, got " + methods);
        }
        if (budget < 1 || budget > MAX_BUDGET) {
            throw new IllegalArgumentException("budget must be in [1, " + MAX_BUDGET + "], got " + budget);
        }
        if (chains < 1 || budget % chains != 0) {
            throw new IllegalArgumentException("chains must be >= 1 and divide the budget " + budget + ", got "
                    + chains);
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        Objects.requireNonNull(answer, "answer");
        sampling(temperature, topK, topP, maxTokens); // validates the sampling knobs
    }

    /**
     * The policy's sampling configuration.
     *
     * @return the configuration
     */
    public SamplingConfig sampling() {
        return sampling(temperature, topK, topP, maxTokens);
    }

    private static SamplingConfig sampling(double temperature, int topK, double topP, int maxTokens) {
        SamplingConfig c = SamplingConfig.defaults().withTemperature(temperature).withMaxCompletionTokens(maxTokens);
        if (topK != 0) {
            c = c.withTopK(topK);
        }
        return topP == 1.0 ? c : c.withTopP(topP);
    }

    /**
     * A builder with defaults: QAlign only, budget 16, 1 chain, beta 1, temperature 1, no top-k/top-p, 128 tokens,
     * seed 0, answers as text.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link JobSettings}; {@link #build()} validates. */
    public static final class Builder {
        private List<Method> methods = List.of(Method.QALIGN);
        private int budget = 16;
        private int chains = 1;
        private double beta = 1.0;
        private double temperature = 1.0;
        private int topK;
        private double topP = 1.0;
        private int maxTokens = 128;
        private long seed;
        private AnswerFormat answer = AnswerFormat.TEXT;
        private boolean trace;

        private Builder() {
        }

        /** @param m the methods, in output order @return this builder */
        public Builder methods(List<Method> m) {
            this.methods = m;
            return this;
        }

        /** @param b samples per prompt and method @return this builder */
        public Builder budget(int b) {
            this.budget = b;
            return this;
        }

        /** @param c QAlign chains per prompt @return this builder */
        public Builder chains(int c) {
            this.chains = c;
            return this;
        }

        /** @param b the QAlign / WMV beta @return this builder */
        public Builder beta(double b) {
            this.beta = b;
            return this;
        }

        /** @param t the sampling temperature @return this builder */
        public Builder temperature(double t) {
            this.temperature = t;
            return this;
        }

        /** @param k top-k, 0 = off @return this builder */
        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        /** @param p top-p in (0, 1] @return this builder */
        public Builder topP(double p) {
            this.topP = p;
            return this;
        }

        /** @param n the total completion cap @return this builder */
        public Builder maxTokens(int n) {
            this.maxTokens = n;
            return this;
        }

        /** @param s the job seed @return this builder */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @param a the answer format @return this builder */
        public Builder answer(AnswerFormat a) {
            this.answer = a;
            return this;
        }

        /** @param t whether largest-budget rows carry every sample @return this builder */
        public Builder trace(boolean t) {
            this.trace = t;
            return this;
        }

        /** @return the settings @throws IllegalArgumentException naming the bad setting */
        public JobSettings build() {
            return new JobSettings(methods, budget, chains, beta, temperature, topK, topP, maxTokens, seed, answer,
                    trace);
        }
    }
}
