package io.github.qalign.beta;

import io.github.qalign.model.Prompt;
import io.github.qalign.sampler.AcceptanceMeasure;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Finds the {@code beta} at which QAlign chains accept a target fraction of their proposals (the paper tunes beta
 * to an average acceptance rate of about 50% on 128 calibration prompts).
 *
 * <p>The measured quantity is the acceptance rate of a short calibration run: {@link QAlignSampler} chains (the
 * template's steps, chains per prompt, sampling and proposal) on the calibration prompts, accepted steps over all
 * steps ({@link AcceptanceMeasure#ACCEPTED}, the Metropolis-Hastings decision, as in the paper), or with
 * {@link Builder#measure(AcceptanceMeasure) measure(MOVED)} the steps that changed the state. Acceptance grows with beta, so the tuner searches in log beta: it measures the initial beta, multiplies or
 * divides it by {@link Builder#expansionFactor(double) expansionFactor} until the target is bracketed (or
 * {@link Builder#minBeta(double) minBeta}/{@link Builder#maxBeta(double) maxBeta} is hit), then bisects the bracket
 * at its geometric mean until the measured rate is within {@link Builder#tolerance(double) tolerance} of the target
 * or {@link Builder#maxEvaluations(int) maxEvaluations} runs are spent. It returns the evaluated beta whose rate is
 * closest to the target.
 *
 * <p>Determinism: {@link #tune} draws ONE {@code long} from its generator; every calibration run uses it as the run
 * seed ({@link QAlignSampler#run(List, long)}: common random numbers, each chain on its own per-prompt stream), so
 * measured rates differ only through beta, the search is reproducible and the rate is (nearly) monotone in beta along
 * the search.
 */
public final class BetaTuner {

    private final QAlignSampler template;
    private final double targetAcceptance;
    private final double tolerance;
    private final double initialBeta;
    private final double minBeta;
    private final double maxBeta;
    private final double expansionFactor;
    private final int maxEvaluations;
    private final AcceptanceMeasure measure;

    private BetaTuner(Builder b) {
        this.template = b.template;
        this.targetAcceptance = b.targetAcceptance;
        this.tolerance = b.tolerance;
        this.initialBeta = b.initialBeta;
        this.minBeta = b.minBeta;
        this.maxBeta = b.maxBeta;
        this.expansionFactor = b.expansionFactor;
        this.maxEvaluations = b.maxEvaluations;
        this.measure = b.measure;
    }

    /**
     * A new builder; required: the sampler template.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Tunes beta on calibration prompts.
     *
     * @param calibrationPrompts the prompts; not empty
     * @param rng                source of the calibration seed (one {@code nextLong()})
     * @return the chosen beta, its measured acceptance rate and every evaluation
     * @throws IllegalArgumentException if the prompt list is empty
     */
    public BetaTunerResult tune(List<Prompt> calibrationPrompts, RandomGenerator rng) {
        Objects.requireNonNull(calibrationPrompts, "calibrationPrompts");
        Objects.requireNonNull(rng, "rng");
        if (calibrationPrompts.isEmpty()) {
            throw new IllegalArgumentException("calibrationPrompts must not be empty");
        }
        long seed = rng.nextLong();
        List<BetaTunerEvaluation> evals = new ArrayList<>();

        double b = initialBeta;
        double a = measure(b, calibrationPrompts, seed, evals);
        double lo = Double.NaN;
        double hi = Double.NaN;
        if (a < targetAcceptance) {
            lo = b;
            while (evals.size() < maxEvaluations && b < maxBeta) {
                b = Math.min(maxBeta, b * expansionFactor);
                a = measure(b, calibrationPrompts, seed, evals);
                if (a >= targetAcceptance) {
                    hi = b;
                    break;
                }
                lo = b;
            }
        } else {
            hi = b;
            while (evals.size() < maxEvaluations && b > minBeta) {
                b = Math.max(minBeta, b / expansionFactor);
                a = measure(b, calibrationPrompts, seed, evals);
                if (a <= targetAcceptance) {
                    lo = b;
                    break;
                }
                hi = b;
            }
        }
        if (!Double.isNaN(lo) && !Double.isNaN(hi)) {
            while (evals.size() < maxEvaluations
                    && Math.abs(best(evals).rate() - targetAcceptance) > tolerance && hi / lo > 1.0 + 1e-6) {
                double mid = Math.sqrt(lo * hi);
                double am = measure(mid, calibrationPrompts, seed, evals);
                if (am < targetAcceptance) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        BetaTunerEvaluation best = best(evals);
        boolean converged = Math.abs(best.rate() - targetAcceptance) <= tolerance;
        return new BetaTunerResult(best.beta(), best.rate(), converged, evals);
    }

    private double measure(double beta, List<Prompt> prompts, long seed, List<BetaTunerEvaluation> evals) {
        QAlignResult r = template.toBuilder().beta(beta).build().run(prompts, seed);
        BetaTunerEvaluation e = new BetaTunerEvaluation(beta, r.acceptanceRate(), r.moveRate(), measure);
        evals.add(e);
        return e.rate();
    }

    private BetaTunerEvaluation best(List<BetaTunerEvaluation> evals) {
        BetaTunerEvaluation best = evals.get(0);
        for (BetaTunerEvaluation e : evals) {
            if (Math.abs(e.rate() - targetAcceptance) < Math.abs(best.rate() - targetAcceptance)) {
                best = e;
            }
        }
        return best;
    }

    /**
     * Builder of {@link BetaTuner}. Defaults: target 0.5, tolerance 0.02, initial beta 1, beta range [1e-4, 1e4],
     * expansion factor 4, at most 24 calibration runs. {@link #build()} throws {@link IllegalArgumentException}
     * naming a bad parameter.
     */
    public static final class Builder {
        private QAlignSampler template;
        private double targetAcceptance = 0.5;
        private double tolerance = 0.02;
        private double initialBeta = 1.0;
        private double minBeta = 1e-4;
        private double maxBeta = 1e4;
        private double expansionFactor = 4.0;
        private int maxEvaluations = 24;
        private AcceptanceMeasure measure = AcceptanceMeasure.ACCEPTED;

        private Builder() {
        }

        /**
         * Which rate is tuned (default {@link AcceptanceMeasure#ACCEPTED}, the Metropolis-Hastings decision the paper
         * reports and its code counts). {@link AcceptanceMeasure#MOVED} tunes how often the chain actually changes
         * state, which is lower when candidates often equal the current state (short completions).
         *
         * @param measure the tuned measure
         * @return this builder
         */
        public Builder measure(AcceptanceMeasure measure) {
            this.measure = measure;
            return this;
        }

        /**
         * The sampler whose configuration the calibration runs use (models, steps, chains per prompt, sampling,
         * proposal); its beta is replaced by each candidate beta (required). Short chains (e.g. 16-32 steps) suffice.
         *
         * @param template the configuration of the calibration runs, with at least one step
         * @return this builder
         */
        public Builder sampler(QAlignSampler template) {
            this.template = template;
            return this;
        }

        /**
         * Target average acceptance rate, in (0, 1) (default 0.5).
         *
         * @param target target average acceptance rate, in (0, 1) (default 0.5)
         * @return this builder
         */
        public Builder targetAcceptance(double target) {
            this.targetAcceptance = target;
            return this;
        }

        /**
         * Stop when the measured rate is within this distance of the target, in (0, 1) (default 0.02).
         *
         * @param tolerance stop when the measured rate is within this distance of the target, in (0, 1) (default 0.02)
         * @return this builder
         */
        public Builder tolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * First beta tried, finite and &gt; 0 (default 1).
         *
         * @param beta first beta tried, finite and &gt; 0 (default 1)
         * @return this builder
         */
        public Builder initialBeta(double beta) {
            this.initialBeta = beta;
            return this;
        }

        /**
         * Smallest beta tried, finite and &gt; 0 (default 1e-4).
         *
         * @param beta smallest beta tried, finite and &gt; 0 (default 1e-4)
         * @return this builder
         */
        public Builder minBeta(double beta) {
            this.minBeta = beta;
            return this;
        }

        /**
         * Largest beta tried, finite and &gt; minBeta (default 1e4).
         *
         * @param beta largest beta tried, finite and &gt; minBeta (default 1e4)
         * @return this builder
         */
        public Builder maxBeta(double beta) {
            this.maxBeta = beta;
            return this;
        }

        /**
         * Factor by which beta grows or shrinks while bracketing, &gt; 1 (default 4).
         *
         * @param factor factor by which beta grows or shrinks while bracketing, &gt; 1 (default 4)
         * @return this builder
         */
        public Builder expansionFactor(double factor) {
            this.expansionFactor = factor;
            return this;
        }

        /**
         * Most calibration runs, &gt;= 1 (default 24).
         *
         * @param n most calibration runs, &gt;= 1 (default 24)
         * @return this builder
         */
        public Builder maxEvaluations(int n) {
            this.maxEvaluations = n;
            return this;
        }

        /**
         * The tuner.
         *
         * @return the tuner
         */
        public BetaTuner build() {
            if (template == null) {
                throw new IllegalArgumentException("sampler (template) is required");
            }
            if (template.steps() < 1) {
                throw new IllegalArgumentException("sampler (template) steps must be >= 1 to measure an acceptance"
                        + " rate, got " + template.steps());
            }
            if (!(targetAcceptance > 0 && targetAcceptance < 1)) {
                throw new IllegalArgumentException("targetAcceptance must be in (0, 1), got " + targetAcceptance);
            }
            if (!(tolerance > 0 && tolerance < 1)) {
                throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
            }
            checkBeta("minBeta", minBeta);
            checkBeta("maxBeta", maxBeta);
            checkBeta("initialBeta", initialBeta);
            if (!(maxBeta > minBeta)) {
                throw new IllegalArgumentException("maxBeta (" + maxBeta + ") must be > minBeta (" + minBeta + ")");
            }
            if (initialBeta < minBeta || initialBeta > maxBeta) {
                throw new IllegalArgumentException("initialBeta " + initialBeta + " outside [minBeta, maxBeta] = ["
                        + minBeta + ", " + maxBeta + "]");
            }
            if (!(expansionFactor > 1) || Double.isInfinite(expansionFactor)) {
                throw new IllegalArgumentException("expansionFactor must be finite and > 1, got " + expansionFactor);
            }
            if (measure == null) {
                throw new IllegalArgumentException("measure must not be null");
            }
            if (maxEvaluations < 1) {
                throw new IllegalArgumentException("maxEvaluations must be >= 1, got " + maxEvaluations);
            }
            return new BetaTuner(this);
        }

        private static void checkBeta(String name, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
            }
        }
    }
}
