package io.github.qalign.beta;

import io.github.qalign.sampler.AcceptanceMeasure;
import java.util.Objects;

/**
 * One calibration run of {@link BetaTuner}.
 *
 * @param beta           the beta tried
 * @param acceptanceRate accepted steps over all steps of the calibration run (the Metropolis-Hastings decision)
 * @param moveRate       steps that changed the state over all steps (at most {@code acceptanceRate})
 * @param measure        the measure the tuner targets; {@link #rate()} reports it
 */
public record BetaTunerEvaluation(double beta, double acceptanceRate, double moveRate, AcceptanceMeasure measure) {
    /**
     * Validates the components.
     *
     * @param beta           see the record description
     * @param acceptanceRate see the record description
     * @param moveRate       see the record description
     * @param measure        see the record description
     */
    public BetaTunerEvaluation {
        Objects.requireNonNull(measure, "measure");
    }

    /**
     * The rate of the targeted measure: {@link #acceptanceRate()} or {@link #moveRate()}.
     *
     * @return the rate the tuner compares with its target
     */
    public double rate() {
        return measure == AcceptanceMeasure.MOVED ? moveRate : acceptanceRate;
    }
}
