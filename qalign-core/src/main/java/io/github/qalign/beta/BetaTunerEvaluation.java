package io.github.qalign.beta;

/**
 * One calibration run of {@link BetaTuner}.
 *
 * @param beta           the beta tried
 * @param acceptanceRate accepted steps over all steps of the calibration run
 */
public record BetaTunerEvaluation(double beta, double acceptanceRate) {
}
