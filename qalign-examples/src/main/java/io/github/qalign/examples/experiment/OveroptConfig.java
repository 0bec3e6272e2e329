package io.github.qalign.examples.experiment;

import io.github.qalign.model.SamplingConfig;
import java.util.List;
import java.util.Objects;

/**
 * What the over-optimization experiment runs (docs/overoptimization-design.md). Build with {@link #builder()}.
 *
 * @param prompts      the eval prompt texts, non-empty
 * @param seeds        the seeds, non-empty, distinct; each (prompt, seed) is one unit
 * @param maxBudget    N: independent samples per unit, and states of each chain
 * @param beta         QAlign's (and WMV's) beta, finite and &gt; 0
 * @param sampling     the policy's sampling configuration
 * @param blockPrompts prompts run together (chains in lockstep); part of the random-stream layout
 */
public record OveroptConfig(List<String> prompts, List<Long> seeds, int maxBudget, double beta,
                            SamplingConfig sampling, int blockPrompts) {

    public OveroptConfig {
        prompts = List.copyOf(Objects.requireNonNull(prompts, "prompts"));
        seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
        Objects.requireNonNull(sampling, "sampling");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
        if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("seeds must be non-empty and distinct, got " + seeds);
        }
        if (maxBudget < 1) {
            throw new IllegalArgumentException("maxBudget must be >= 1, got " + maxBudget);
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        if (blockPrompts < 1) {
            throw new IllegalArgumentException("blockPrompts must be >= 1, got " + blockPrompts);
        }
    }

    /** Units in run order: seed-major, then prompt. */
    public int units() {
        return prompts.size() * seeds.size();
    }

    /** A builder: budget 256, beta 0.25, default sampling, seeds 1..4, blocks of 16 prompts. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link OveroptConfig}. */
    public static final class Builder {
        private List<String> prompts = List.of();
        private List<Long> seeds = List.of(1L, 2L, 3L, 4L);
        private int maxBudget = 256;
        private double beta = 0.25;
        private SamplingConfig sampling = SamplingConfig.defaults();
        private int blockPrompts = 16;

        private Builder() {
        }

        /** The eval prompts (required). */
        public Builder prompts(List<String> p) {
            this.prompts = p;
            return this;
        }

        /** The seeds. */
        public Builder seeds(List<Long> s) {
            this.seeds = s;
            return this;
        }

        /** The largest budget. */
        public Builder maxBudget(int n) {
            this.maxBudget = n;
            return this;
        }

        /** beta. */
        public Builder beta(double b) {
            this.beta = b;
            return this;
        }

        /** Sampling configuration. */
        public Builder sampling(SamplingConfig s) {
            this.sampling = s;
            return this;
        }

        /** Prompts per block. */
        public Builder blockPrompts(int n) {
            this.blockPrompts = n;
            return this;
        }

        /** The configuration; throws {@link IllegalArgumentException} naming a bad parameter. */
        public OveroptConfig build() {
            return new OveroptConfig(prompts, seeds, maxBudget, beta, sampling, blockPrompts);
        }
    }
}
