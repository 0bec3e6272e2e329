package io.github.qalign.compute;

import io.github.qalign.model.TokenUsage;
import java.util.Objects;

/**
 * Tokens consumed by a language model (LM) and a reward model (RM), with the parameter counts needed to turn them
 * into FLOPs. Immutable; combine with {@link #plus(ComputeUsage)}.
 *
 * <p>FLOPs follow the paper's axis (App. B): {@code 2 * parameters * computedTokens} for each model, where
 * {@link TokenUsage#computedTokens()} counts input tokens whose forward pass was computed plus generated tokens;
 * tokens served from a KV cache ({@link TokenUsage#reusedInputTokens()}) cost nothing.
 *
 * @param lm           language-model usage
 * @param rm           reward-model usage
 * @param lmParameters language-model parameter count (0 if unknown), &gt;= 0
 * @param rmParameters reward-model parameter count (0 if unknown), &gt;= 0
 */
public record ComputeUsage(TokenUsage lm, TokenUsage rm, long lmParameters, long rmParameters) {

    /** No tokens, unknown parameter counts; the identity of {@link #plus(ComputeUsage)}. */
    public static final ComputeUsage ZERO = new ComputeUsage(TokenUsage.ZERO, TokenUsage.ZERO, 0, 0);

    /**
     * Validates and copies the components.
     *
     * @param lm see the record description
     * @param rm see the record description
     * @param lmParameters see the record description
     * @param rmParameters see the record description
     */
    public ComputeUsage {
        Objects.requireNonNull(lm, "lm");
        Objects.requireNonNull(rm, "rm");
        if (lmParameters < 0) {
            throw new IllegalArgumentException("lmParameters must be >= 0, got " + lmParameters);
        }
        if (rmParameters < 0) {
            throw new IllegalArgumentException("rmParameters must be >= 0, got " + rmParameters);
        }
    }

    /**
     * No tokens yet for models with the given parameter counts.
     *
     * @param lmParameters language-model parameter count (0 if unknown), &gt;= 0
     * @param rmParameters reward-model parameter count (0 if unknown), &gt;= 0
     * @return a usage with no tokens
     */
    public static ComputeUsage none(long lmParameters, long rmParameters) {
        return new ComputeUsage(TokenUsage.ZERO, TokenUsage.ZERO, lmParameters, rmParameters);
    }

    /**
     * Language-model usage only.
     *
     * @param lm           language-model usage
     * @param lmParameters language-model parameter count (0 if unknown), &gt;= 0
     * @return language-model usage only
     */
    public static ComputeUsage ofLm(TokenUsage lm, long lmParameters) {
        return new ComputeUsage(lm, TokenUsage.ZERO, lmParameters, 0);
    }

    /**
     * Reward-model usage only.
     *
     * @param rm           reward-model usage
     * @param rmParameters reward-model parameter count (0 if unknown), &gt;= 0
     * @return reward-model usage only
     */
    public static ComputeUsage ofRm(TokenUsage rm, long rmParameters) {
        return new ComputeUsage(TokenUsage.ZERO, rm, 0, rmParameters);
    }

    /**
     * The sum of two usages. Parameter counts must agree: equal, or unknown (0) on one side, in which case the known
     * count is kept.
     *
     * @throws IllegalArgumentException if both sides know different parameter counts for the same model
     * @param o the other usage
     * @return the sum of two usages
     */
    public ComputeUsage plus(ComputeUsage o) {
        Objects.requireNonNull(o, "other");
        return new ComputeUsage(lm.plus(o.lm), rm.plus(o.rm), merge("lmParameters", lmParameters, o.lmParameters),
                merge("rmParameters", rmParameters, o.rmParameters));
    }

    private static long merge(String name, long a, long b) {
        if (a == b || b == 0) {
            return a;
        }
        if (a == 0) {
            return b;
        }
        throw new IllegalArgumentException("cannot add usages of different models: " + name + " " + a + " vs " + b);
    }

    /**
     * Language-model FLOPs: {@code 2 * lmParameters * lm.computedTokens()}.
     *
     * @return language-model FLOPs: {@code 2 * lmParameters * lm.computedTokens()}
     */
    public double lmFlops() {
        return 2.0 * lmParameters * lm.computedTokens();
    }

    /**
     * Reward-model FLOPs: {@code 2 * rmParameters * rm.computedTokens()}.
     *
     * @return reward-model FLOPs: {@code 2 * rmParameters * rm.computedTokens()}
     */
    public double rmFlops() {
        return 2.0 * rmParameters * rm.computedTokens();
    }

    /**
     * Total FLOPs, {@link #lmFlops()} + {@link #rmFlops()} (a double: real runs overflow a long).
     *
     * @return total FLOPs, {@link #lmFlops()} + {@link #rmFlops()} (a double: real runs overflow a long)
     */
    public double flops() {
        return lmFlops() + rmFlops();
    }
}
