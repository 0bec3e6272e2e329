package io.github.qalign.model;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How a {@link LanguageModel} samples. Immutable; change by copy ({@code withX}) or build with {@link #builder()}.
 *
 * <p>QAlign targets {@code p_LM(y|x) exp(r/beta)} where {@code p_LM} is exactly the distribution this configuration
 * samples from: temperature, top-p/top-k and the length cap all change the target. The defaults (temperature 1, no
 * truncation) sample the model's own distribution, which is what the paper's math assumes.
 *
 * @param temperature          softmax temperature, &gt; 0
 * @param maxCompletionTokens  cap on the TOTAL completion length (prefix kept plus continuation), &gt; 0
 * @param topP                 nucleus mass in (0, 1], if set
 * @param topK                 keep the k most likely tokens, &gt; 0, if set
 */
public record SamplingConfig(double temperature, int maxCompletionTokens, OptionalDouble topP, OptionalInt topK) {

    /** Default total completion cap. */
    public static final int DEFAULT_MAX_COMPLETION_TOKENS = 256;

    public SamplingConfig {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        if (maxCompletionTokens <= 0) {
            throw new IllegalArgumentException("maxCompletionTokens must be > 0, got " + maxCompletionTokens);
        }
        topP = topP == null ? OptionalDouble.empty() : topP;
        topK = topK == null ? OptionalInt.empty() : topK;
        if (topP.isPresent() && !(topP.getAsDouble() > 0 && topP.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP.getAsDouble());
        }
        if (topK.isPresent() && topK.getAsInt() <= 0) {
            throw new IllegalArgumentException("topK must be > 0, got " + topK.getAsInt());
        }
    }

    /** Temperature 1, no truncation, {@value #DEFAULT_MAX_COMPLETION_TOKENS} tokens. */
    public static SamplingConfig defaults() {
        return new SamplingConfig(1.0, DEFAULT_MAX_COMPLETION_TOKENS, OptionalDouble.empty(), OptionalInt.empty());
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A copy with another temperature. */
    public SamplingConfig withTemperature(double t) {
        return new SamplingConfig(t, maxCompletionTokens, topP, topK);
    }

    /** A copy with another total completion cap. */
    public SamplingConfig withMaxCompletionTokens(int n) {
        return new SamplingConfig(temperature, n, topP, topK);
    }

    /** A copy with nucleus sampling. */
    public SamplingConfig withTopP(double p) {
        return new SamplingConfig(temperature, maxCompletionTokens, OptionalDouble.of(p), topK);
    }

    /** A copy with top-k sampling. */
    public SamplingConfig withTopK(int k) {
        return new SamplingConfig(temperature, maxCompletionTokens, topP, OptionalInt.of(k));
    }

    /** Builder for {@link SamplingConfig}. */
    public static final class Builder {
        private double temperature = 1.0;
        private int maxCompletionTokens = DEFAULT_MAX_COMPLETION_TOKENS;
        private OptionalDouble topP = OptionalDouble.empty();
        private OptionalInt topK = OptionalInt.empty();

        private Builder() {
        }

        /** Softmax temperature (default 1). */
        public Builder temperature(double t) {
            this.temperature = t;
            return this;
        }

        /** Cap on the total completion length (default {@value SamplingConfig#DEFAULT_MAX_COMPLETION_TOKENS}). */
        public Builder maxCompletionTokens(int n) {
            this.maxCompletionTokens = n;
            return this;
        }

        /** Nucleus sampling mass (default off). */
        public Builder topP(double p) {
            this.topP = OptionalDouble.of(p);
            return this;
        }

        /** Top-k sampling (default off). */
        public Builder topK(int k) {
            this.topK = OptionalInt.of(k);
            return this;
        }

        /** The configuration; throws {@link IllegalArgumentException} naming a bad parameter. */
        public SamplingConfig build() {
            return new SamplingConfig(temperature, maxCompletionTokens, topP, topK);
        }
    }
}
