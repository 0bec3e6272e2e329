package io.github.qalign.beta;

import java.util.List;

/**
 * The outcome of {@link BetaTuner#tune}.
 *
 * @param beta           the chosen beta
 * @param acceptanceRate its measured calibration rate of the tuner's measure (accepted, by default, or moved: see
 *                       {@link BetaTuner.Builder#measure})
 * @param converged      whether that rate is within the tuner's tolerance of the target (false when the target is
 *                       not reachable within [minBeta, maxBeta] or the evaluation budget ran out)
 * @param evaluations    every calibration run, in order
 */
public record BetaTunerResult(double beta, double acceptanceRate, boolean converged,
                              List<BetaTunerEvaluation> evaluations) {
    /**
     * Validates and copies the components.
     *
     * @param beta see the record description
     * @param acceptanceRate see the record description
     * @param converged see the record description
     * @param evaluations see the record description
     */
    public BetaTunerResult {
        evaluations = List.copyOf(evaluations);
    }
}
