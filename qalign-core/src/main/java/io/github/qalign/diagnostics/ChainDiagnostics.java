package io.github.qalign.diagnostics;

import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.ChainStep;
import io.github.qalign.sampler.PromptResult;
import io.github.qalign.sampler.QAlignResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Diagnostics of one QAlign chain. Per-step means are over the chain's {@code T} steps; with {@code T = 0} they
 * are 0.
 *
 * @param steps              number of steps {@code T}
 * @param acceptanceRate     accepted steps / {@code T}
 * @param rewardEss          Geyer ESS of the reward trace {@code r(y^0) .. r(y^T)} (all {@code T + 1} states)
 * @param meanIndex          mean resample index {@code i}
 * @param meanRelativeIndex  mean of {@code i / |y|} (about 0.5 for the suffix proposal, 0 for independence)
 * @param meanGeneratedTokens mean tokens generated per step, {@code |y'| - i}
 * @param meanStateLength    mean length of the states {@code y^0 .. y^T}
 */
public record ChainDiagnostics(int steps, double acceptanceRate, double rewardEss, double meanIndex,
                               double meanRelativeIndex, double meanGeneratedTokens, double meanStateLength) {

    /**
     * Diagnoses one chain.
     *
     * @param chain the chain
     * @return its diagnostics
     */
    public static ChainDiagnostics of(ChainResult chain) {
        Objects.requireNonNull(chain, "chain");
        List<ChainStep> st = chain.steps();
        int t = st.size();
        double acc = 0;
        double idx = 0;
        double rel = 0;
        double gen = 0;
        for (ChainStep s : st) {
            acc += s.accepted() ? 1 : 0;
            idx += s.index();
            rel += s.relativeIndex();
            gen += s.generatedTokens();
        }
        double len = chain.initial().completion().length();
        for (ChainStep s : st) {
            len += s.state().completion().length();
        }
        double perStep = t == 0 ? 0 : 1.0 / t;
        return new ChainDiagnostics(t, acc * perStep, EffectiveSampleSize.geyer(chain.rewardTrace()), idx * perStep,
                rel * perStep, gen * perStep, len / (t + 1));
    }

    /**
     * Diagnoses every chain of a run, prompt-major.
     *
     * @param result the run
     * @return the diagnostics of every chain, prompt-major
     */
    public static List<ChainDiagnostics> of(QAlignResult result) {
        Objects.requireNonNull(result, "result");
        List<ChainDiagnostics> out = new ArrayList<>();
        for (PromptResult p : result.prompts()) {
            for (ChainResult c : p.chains()) {
                out.add(of(c));
            }
        }
        return List.copyOf(out);
    }
}
