package io.github.qalign.spark;

import java.io.Serializable;

/**
 * One output row: a method's selection for one prompt at one budget, or a failed prompt.
 *
 * @param id                  the prompt id
 * @param method              the method ({@link Method#cliName()})
 * @param budget              samples per prompt (QAlign: chain states over all chains); 0 for a failed row
 * @param status              {@code ok} or {@code failed}
 * @param error               the failure (class and message) for a failed row, else null
 * @param answer              the extracted answer of the selection (null when none was found)
 * @param text                the selected completion's text
 * @param reward              the selected completion's reward
 * @param correct             whether the answer equals the extracted reference; null without a reference
 * @param beta                the beta used (QAlign, WMV), else null
 * @param acceptanceRate      QAlign: accepted proposals over the steps within the budget, else null
 * @param lmComputedTokens    policy input tokens computed
 * @param lmReusedTokens      policy input tokens reused from a KV cache
 * @param lmGeneratedTokens   policy tokens generated
 * @param rmComputedTokens    reward-model tokens computed
 * @param flops               2 x params x tokens, policy plus reward model
 * @param trace               every sample behind the selection, in run order, when the job traces and this is the
 *                            method's largest budget; else null
 */
public record ResultRow(String id, String method, int budget, String status, String error, String answer,
                        String text, Double reward, Boolean correct, Double beta, Double acceptanceRate,
                        long lmComputedTokens, long lmReusedTokens, long lmGeneratedTokens, long rmComputedTokens,
                        double flops, java.util.List<TraceSample> trace) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Status of a row with a selection. */
    public static final String OK = "ok";
    /** Status of the one row of a prompt whose run failed. */
    public static final String FAILED = "failed";

    /**
     * One sample of a trace.
     *
     * @param chain    the QAlign chain, or -1 for independent samples
     * @param step     the chain step (0 = initial state), or the sample index
     * @param text     the sample's text (for QAlign: the candidate of that step, or the initial state)
     * @param reward   its reward
     * @param accepted QAlign: whether the candidate was accepted (true for initial states); null otherwise
     */
    public record TraceSample(int chain, int step, String text, double reward, Boolean accepted)
            implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
