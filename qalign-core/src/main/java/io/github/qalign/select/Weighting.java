package io.github.qalign.select;

/**
 * How samples are weighted when their votes or utilities are averaged.
 *
 * <ul>
 *   <li>{@link Uniform}: every sample weighs 1/n. This is right for samples of the target itself (QAlign chain
 *       states, repeats included).</li>
 *   <li>{@link Importance}: self-normalised importance weights softmax(r / beta) for independent samples of the base
 *       model, which re-weight them towards pi(y|x) proportional to p(y|x) exp(r/beta). Computed as
 *       exp((r_i - r_max) / beta) / sum_j exp((r_j - r_max) / beta), which never overflows (the largest term is
 *       exactly 1) and gives weight 0, never NaN, to rewards far below the maximum. Raw rewards are never used as
 *       weights.</li>
 * </ul>
 */
public sealed interface Weighting permits Weighting.Uniform, Weighting.Importance {

    /**
     * Uniform weights.
     *
     * @return the uniform weighting
     */
    static Weighting uniform() {
        return Uniform.INSTANCE;
    }

    /**
     * Importance weights softmax(r / beta).
     *
     * @param beta the temperature of the target, finite and > 0
     * @return the importance weighting
     * @throws IllegalArgumentException if beta is not finite or not positive
     */
    static Weighting importance(double beta) {
        return new Importance(beta);
    }

    /**
     * The normalised weights of the first {@code n} rewards (they sum to 1 up to rounding).
     *
     * @param rewards finite rewards
     * @param n       how many to use, from 1 to rewards.length
     * @return n weights in [0, 1]
     */
    double[] weights(double[] rewards, int n);

    /** Uniform weights 1/n. */
    enum Uniform implements Weighting {
        /** The only instance. */
        INSTANCE;

        @Override
        public double[] weights(double[] rewards, int n) {
            checkPrefix(rewards, n);
            double[] w = new double[n];
            java.util.Arrays.fill(w, 1.0 / n);
            return w;
        }
    }

    /**
     * Self-normalised importance weights softmax(r / beta).
     *
     * @param beta the temperature, finite and > 0
     */
    record Importance(double beta) implements Weighting {
        /**
         * Validates the components.
         *
         * @param beta see the record description
         */
        public Importance {
            requireValidBeta(beta);
        }

        @Override
        public double[] weights(double[] rewards, int n) {
            return softmax(rewards, n, beta);
        }
    }

    /**
     * Checks a temperature.
     *
     * @param beta the value to check
     * @return beta
     * @throws IllegalArgumentException naming beta unless it is finite and > 0
     */
    static double requireValidBeta(double beta) {
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        return beta;
    }

    /**
     * Checks that {@code n} selects a non-empty prefix of {@code rewards}.
     *
     * @param rewards the rewards, not null
     * @param n       the prefix length
     * @throws IllegalArgumentException naming n unless {@code 1 <= n <= rewards.length}
     */
    private static void checkPrefix(double[] rewards, int n) {
        java.util.Objects.requireNonNull(rewards, "rewards");
        if (n < 1 || n > rewards.length) {
            throw new IllegalArgumentException("n must be in [1, " + rewards.length + "], got " + n);
        }
    }

    /**
     * softmax(r / beta) over the first n rewards, computed stably (see {@link Weighting}).
     *
     * @param rewards finite rewards
     * @param n       how many to use
     * @param beta    finite, > 0
     * @return n normalised weights
     */
    static double[] softmax(double[] rewards, int n, double beta) {
        requireValidBeta(beta);
        checkPrefix(rewards, n);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(rewards[i])) {
                throw new IllegalArgumentException("reward[" + i + "] must be finite, got " + rewards[i]);
            }
            max = Math.max(max, rewards[i]);
        }
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            // r_i - max is <= 0 (or -inf when the difference overflows), so exp never overflows
            w[i] = Math.exp((rewards[i] - max) / beta);
            sum += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] /= sum;
        }
        return w;
    }
}
