package io.github.qalign.model;

/**
 * Tokens a model call cost, as an immutable value that adds up.
 *
 * @param computedInputTokens input tokens (prompt and completion prefix) whose forward pass was actually computed
 * @param reusedInputTokens   input tokens served from a cache (KV-state reuse) instead of being computed
 * @param generatedTokens     tokens sampled by the model (language models only; 0 for reward models)
 */
public record TokenUsage(long computedInputTokens, long reusedInputTokens, long generatedTokens) {

    /** No usage. */
    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0);

    /**
     * Validates the components.
     *
     * @param computedInputTokens see the record description
     * @param reusedInputTokens see the record description
     * @param generatedTokens see the record description
     */
    public TokenUsage {
        if (computedInputTokens < 0 || reusedInputTokens < 0 || generatedTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0: " + computedInputTokens + ", "
                    + reusedInputTokens + ", " + generatedTokens);
        }
    }

    /**
     * Tokens that went through a forward pass: computed input plus generated.
     *
     * @return tokens that went through a forward pass: computed input plus generated
     */
    public long computedTokens() {
        return computedInputTokens + generatedTokens;
    }

    /**
     * The sum of two usages.
     *
     * @param o the other usage
     * @return the sum of two usages
     */
    public TokenUsage plus(TokenUsage o) {
        return new TokenUsage(computedInputTokens + o.computedInputTokens, reusedInputTokens + o.reusedInputTokens,
                generatedTokens + o.generatedTokens);
    }
}
