package io.github.qalign.diagnostics;

import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.QAlignResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Diagnostics of all chains of one prompt: each chain's {@link ChainDiagnostics}, their summed reward ESS, and the
 * rank-normalized split-R-hat of the reward traces across chains ({@link SplitRhat#rankNormalized}).
 *
 * <p>R-hat compares the chains with each other and each chain's first half with its second half, so it flags a
 * chain still moving away from its start (burn-in not over) even when there is a single chain. It is computed on the
 * first L states of every chain, L the shortest trace {@code r(y^0) .. r(y^T)}; it is empty when L &lt; 4. Values above
 * 1.01 mean the chains have not mixed (Vehtari et al. 2021).
 *
 * @param promptIndex the prompt's index in the run
 * @param chains      the diagnostics of each chain, in chain order
 * @param rewardEss   the sum of the chains' Geyer reward ESS
 * @param rewardRhat  rank-normalized split-R-hat of the reward traces, empty for traces shorter than 4 states
 */
public record PromptDiagnostics(int promptIndex, List<ChainDiagnostics> chains, double rewardEss,
                                OptionalDouble rewardRhat) {

    /**
     * Validates and copies.
     *
     * @param promptIndex see the record description
     * @param chains see the record description
     * @param rewardEss see the record description
     * @param rewardRhat see the record description
     */
    public PromptDiagnostics {
        chains = List.copyOf(chains);
        Objects.requireNonNull(rewardRhat, "rewardRhat");
    }

    /**
     * Diagnoses the chains of one prompt.
     *
     * @param prompt the prompt's result
     * @return its diagnostics
     */
    public static PromptDiagnostics of(PromptResult prompt) {
        Objects.requireNonNull(prompt, "prompt");
        List<ChainDiagnostics> ds = new ArrayList<>();
        double ess = 0;
        List<double[]> traces = new ArrayList<>();
        int shortest = Integer.MAX_VALUE;
        for (ChainResult c : prompt.chains()) {
            ChainDiagnostics d = ChainDiagnostics.of(c);
            ds.add(d);
            ess += d.rewardEss();
            double[] t = c.rewardTrace();
            traces.add(t);
            shortest = Math.min(shortest, t.length);
        }
        OptionalDouble rhat = OptionalDouble.empty();
        if (!traces.isEmpty() && shortest >= 4) {
            double[][] x = new double[traces.size()][];
            for (int i = 0; i < x.length; i++) {
                x[i] = java.util.Arrays.copyOf(traces.get(i), shortest);
            }
            rhat = OptionalDouble.of(SplitRhat.rankNormalized(x));
        }
        return new PromptDiagnostics(prompt.promptIndex(), ds, ess, rhat);
    }

    /**
     * Diagnoses every prompt of a run.
     *
     * @param result the run
     * @return one entry per prompt, in prompt order
     */
    public static List<PromptDiagnostics> of(QAlignResult result) {
        Objects.requireNonNull(result, "result");
        return result.prompts().stream().map(PromptDiagnostics::of).toList();
    }
}
