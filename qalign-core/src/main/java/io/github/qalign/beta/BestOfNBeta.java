package io.github.qalign.beta;

import java.util.Arrays;
import java.util.Objects;

/**
 * The best-of-n-equivalent temperature beta*(n) of the paper's Appendix A (Eq. 26): the beta at which the mode of
 * the aligned reward distribution pi(r|x) matches the Gumbel location of the maximum of n base-model rewards.
 *
 * <p>Recipe: fit a two-component Gaussian mixture to rewards of base-model samples for one prompt
 * ({@link #fitMixture(double[])}, EM), take the dominant component d (weight w_d, standard deviation sigma_d), set
 * n_d = w_d n and
 * <pre>
 *   c(n_d)   = sqrt(2 ln n_d) - (ln ln n_d + ln 4 pi) / (2 sqrt(2 ln n_d))      (Hall's location, Eq. 17)
 *   beta*(n) = sigma_d / c(n_d)                                              (Eq. 26)
 * </pre>
 * Eq. 10 in the main text prints the correction term inside the square root; Eq. 26, which follows from the mode
 * matching of Eq. 25, is implemented here.
 *
 * <p>Dominant component: the paper (Eq. 16) takes the component with the largest variance, ties broken by the larger
 * mean, because it dominates the far upper tail ({@link Dominant#LARGEST_VARIANCE}, the default);
 * {@link Dominant#LARGEST_MEAN} takes the upper component instead.
 *
 * <p>Domain: the expansion needs ln n_d > 1, i.e. n_d > e (about 2.72); below that c(n_d) is not a meaningful
 * location (and for n_d below about 1.5 it is negative), so {@link #beta(double, double)} throws an
 * {@link IllegalArgumentException} explaining that n (or the dominant weight) is too small.
 */
public final class BestOfNBeta {

    /** Maximum EM iterations. */
    public static final int MAX_ITERATIONS = 1000;
    /** EM stops when the log-likelihood improves by less than this times max(1, |log-likelihood|). */
    public static final double TOLERANCE = 1e-12;

    private static final double LOG_4PI = Math.log(4 * Math.PI);
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private BestOfNBeta() {
    }

    /** Which mixture component is the dominant one. */
    public enum Dominant {
        /** The component with the largest variance, ties to the larger mean (the paper's Eq. 16). */
        LARGEST_VARIANCE,
        /** The component with the larger mean (the "upper" component). */
        LARGEST_MEAN
    }

    /**
     * One Gaussian component.
     *
     * @param weight mixture weight in (0, 1]
     * @param mean   mean
     * @param sd     standard deviation, > 0
     */
    public record Component(double weight, double mean, double sd) {
        /**
         * Validates the components.
         *
         * @param weight see the record description
         * @param mean see the record description
         * @param sd see the record description
         */
        public Component {
            if (!(weight > 0 && weight <= 1)) {
                throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
            }
            if (!Double.isFinite(mean)) {
                throw new IllegalArgumentException("mean must be finite, got " + mean);
            }
            if (!(sd > 0) || !Double.isFinite(sd)) {
                throw new IllegalArgumentException("sd must be finite and > 0, got " + sd);
            }
        }
    }

    /**
     * A fitted two-component mixture, components ordered by mean.
     *
     * @param lower         the component with the smaller mean
     * @param upper         the component with the larger (or equal) mean
     * @param logLikelihood the total log-likelihood of the data at the fit
     * @param iterations    EM iterations used
     */
    public record Mixture(Component lower, Component upper, double logLikelihood, int iterations) {
        /**
         * Validates the components.
         *
         * @param lower see the record description
         * @param upper see the record description
         * @param logLikelihood see the record description
         * @param iterations see the record description
         */
        public Mixture {
            Objects.requireNonNull(lower, "lower");
            Objects.requireNonNull(upper, "upper");
        }

        /**
         * The dominant component under {@code rule}.
         *
         * @param rule how to choose
         * @return the dominant component
         */
        public Component dominant(Dominant rule) {
            return switch (Objects.requireNonNull(rule, "rule")) {
                case LARGEST_MEAN -> upper;
                case LARGEST_VARIANCE -> lower.sd() > upper.sd() ? lower : upper;
            };
        }
    }

    /**
     * The result of {@link #estimate}.
     *
     * @param beta       beta*(n)
     * @param n          the best-of-n sample count
     * @param effectiveN n_d = w_d n
     * @param dominant   the dominant component
     * @param mixture    the fitted mixture
     */
    public record Estimate(double beta, int n, double effectiveN, Component dominant, Mixture mixture) {
    }

    /**
     * Fits the mixture to {@code rewards} and returns beta*(n) with the paper's dominant component.
     *
     * @param rewards base-model rewards for one prompt (at least 2 distinct finite values)
     * @param n       the best-of-n sample count
     * @return the estimate
     * @throws IllegalArgumentException for bad rewards or when n_d = w_d n is not above e
     */
    public static Estimate estimate(double[] rewards, int n) {
        return estimate(rewards, n, Dominant.LARGEST_VARIANCE);
    }

    /**
     * Fits the mixture to {@code rewards} and returns beta*(n) with the given dominant-component rule.
     *
     * @param rewards base-model rewards for one prompt (at least 2 distinct finite values)
     * @param n       the best-of-n sample count, >= 1
     * @param rule    the dominant-component rule
     * @return the estimate
     * @throws IllegalArgumentException for bad rewards or n, or when n_d = w_d n is not above e
     */
    public static Estimate estimate(double[] rewards, int n, Dominant rule) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        Mixture mixture = fitMixture(rewards);
        Component d = mixture.dominant(rule);
        double nd = d.weight() * n;
        return new Estimate(beta(d.sd(), nd), n, nd, d, mixture);
    }

    /**
     * Hall's location term c(n_d) of Eq. 17: the expected maximum of n_d standard normals is about c(n_d) (plus
     * 0.577 / sqrt(2 ln n_d)), its Gumbel mode is c(n_d).
     *
     * @param effectiveN n_d, > e
     * @return c(n_d) > 0
     * @throws IllegalArgumentException if n_d is not finite or not above e
     */
    public static double location(double effectiveN) {
        if (!Double.isFinite(effectiveN) || !(effectiveN > Math.E)) {
            throw new IllegalArgumentException("effective sample count n_d = w_d * n must be finite and > e (~2.718)"
                    + " for the extreme-value approximation of App. A, got " + effectiveN
                    + "; use a larger n or check the dominant component's weight");
        }
        double logN = Math.log(effectiveN);
        double s = Math.sqrt(2 * logN);
        return s - (Math.log(logN) + LOG_4PI) / (2 * s);
    }

    /**
     * beta* = sigma_d / c(n_d) (Eq. 26).
     *
     * @param sigma      sigma_d, finite and > 0
     * @param effectiveN n_d = w_d n, > e
     * @return beta*, > 0
     * @throws IllegalArgumentException if sigma is not positive and finite, or n_d is not above e
     */
    public static double beta(double sigma, double effectiveN) {
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma_d must be finite and > 0, got " + sigma);
        }
        return sigma / location(effectiveN);
    }

    /**
     * Fits a two-component Gaussian mixture by EM. Deterministic: the means start at the 25% and 75% quantiles
     * (the minimum and maximum if those coincide), both standard deviations at the sample standard deviation, the
     * weights at 1/2. Variances are floored at 1e-6 times the sample variance so a component cannot collapse onto
     * one point. Stops after {@link #MAX_ITERATIONS} or when the log-likelihood gain is below {@link #TOLERANCE}
     * (relative). EM runs on the rewards scaled by a power of two to a standard deviation in [1, 2) (exact in
     * floating point), so the fit does not depend on the rewards' units and extreme scales neither overflow nor
     * underflow.
     *
     * @param rewards finite values, at least two distinct
     * @return the fit, components ordered by mean
     * @throws IllegalArgumentException if rewards are null, contain a non-finite value, or have fewer than two
     *                                  distinct values
     */
    public static Mixture fitMixture(double[] rewards) {
        Objects.requireNonNull(rewards, "rewards");
        int n = rewards.length;
        double maxAbs = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(rewards[i])) {
                throw new IllegalArgumentException("rewards[" + i + "] must be finite, got " + rewards[i]);
            }
            maxAbs = Math.max(maxAbs, Math.abs(rewards[i]));
        }
        double[] sorted = rewards.clone();
        Arrays.sort(sorted);
        if (n < 2 || sorted[0] == sorted[n - 1]) {
            throw new IllegalArgumentException("rewards must hold at least two distinct values to fit a mixture, got "
                    + n + " value(s)" + (n > 0 ? " all equal to " + sorted[0] : ""));
        }
        // EM runs on x / 2^k with the standard deviation in [1, 2): scaling by a power of two is exact, keeps the
        // variance from overflowing or underflowing, and makes the convergence test independent of the units.
        int k = Math.getExponent(maxAbs);
        k += Math.getExponent(standardDeviation(scaled(rewards, k)));
        double[] x = scaled(rewards, k);
        Mixture fit = fitScaled(x, scaled(sorted, k));
        double logScale = n * k * Math.log(2);
        return new Mixture(unscaled(fit.lower(), k), unscaled(fit.upper(), k), fit.logLikelihood() - logScale,
                fit.iterations());
    }

    private static double[] scaled(double[] x, int k) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.scalb(x[i], -k);
        }
        return out;
    }

    private static Component unscaled(Component c, int k) {
        return new Component(c.weight(), Math.scalb(c.mean(), k), Math.scalb(c.sd(), k));
    }

    private static double standardDeviation(double[] x) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / x.length);
    }

    /** EM on rewards of moderate scale (see {@link #fitMixture}); {@code sorted} is {@code rewards} sorted. */
    private static Mixture fitScaled(double[] rewards, double[] sorted) {
        int n = rewards.length;
        double mean = 0;
        for (double r : rewards) {
            mean += r;
        }
        mean /= n;
        double var = 0;
        for (double r : rewards) {
            var += (r - mean) * (r - mean);
        }
        var /= n;
        double floor = 1e-6 * var;

        double[] w = {0.5, 0.5};
        double[] mu = {quantile(sorted, 0.25), quantile(sorted, 0.75)};
        if (mu[0] == mu[1]) {
            mu[0] = sorted[0];
            mu[1] = sorted[n - 1];
        }
        double[] v = {var, var};
        double[] resp = new double[n]; // responsibility of component 1
        double ll = Double.NEGATIVE_INFINITY;
        int it = 0;
        while (it < MAX_ITERATIONS) {
            it++;
            // E step (log space)
            double newLl = 0;
            double lw0 = Math.log(w[0]) - 0.5 * (LOG_2PI + Math.log(v[0]));
            double lw1 = Math.log(w[1]) - 0.5 * (LOG_2PI + Math.log(v[1]));
            for (int i = 0; i < n; i++) {
                double d0 = rewards[i] - mu[0];
                double d1 = rewards[i] - mu[1];
                double a = lw0 - d0 * d0 / (2 * v[0]);
                double b = lw1 - d1 * d1 / (2 * v[1]);
                double m = Math.max(a, b);
                double lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
                resp[i] = Math.exp(b - lse);
                newLl += lse;
            }
            // M step
            double n1 = 0;
            double s1 = 0;
            double s0 = 0;
            for (int i = 0; i < n; i++) {
                n1 += resp[i];
                s1 += resp[i] * rewards[i];
                s0 += (1 - resp[i]) * rewards[i];
            }
            double n0 = n - n1;
            if (n0 < 1e-9 || n1 < 1e-9) {
                break; // one component lost all mass: keep the previous parameters
            }
            mu[0] = s0 / n0;
            mu[1] = s1 / n1;
            double q0 = 0;
            double q1 = 0;
            for (int i = 0; i < n; i++) {
                double d0 = rewards[i] - mu[0];
                double d1 = rewards[i] - mu[1];
                q0 += (1 - resp[i]) * d0 * d0;
                q1 += resp[i] * d1 * d1;
            }
            v[0] = Math.max(q0 / n0, floor);
            v[1] = Math.max(q1 / n1, floor);
            w[0] = n0 / n;
            w[1] = n1 / n;
            boolean converged = newLl - ll <= TOLERANCE * Math.max(1.0, Math.abs(newLl));
            ll = newLl;
            if (converged) {
                break;
            }
        }
        ll = logLikelihood(rewards, w, mu, v);
        Component c0 = new Component(w[0], mu[0], Math.sqrt(v[0]));
        Component c1 = new Component(w[1], mu[1], Math.sqrt(v[1]));
        return c0.mean() <= c1.mean() ? new Mixture(c0, c1, ll, it) : new Mixture(c1, c0, ll, it);
    }

    private static double logLikelihood(double[] x, double[] w, double[] mu, double[] v) {
        double lw0 = Math.log(w[0]) - 0.5 * (LOG_2PI + Math.log(v[0]));
        double lw1 = Math.log(w[1]) - 0.5 * (LOG_2PI + Math.log(v[1]));
        double ll = 0;
        for (double xi : x) {
            double a = lw0 - (xi - mu[0]) * (xi - mu[0]) / (2 * v[0]);
            double b = lw1 - (xi - mu[1]) * (xi - mu[1]) / (2 * v[1]);
            double m = Math.max(a, b);
            ll += m + Math.log(Math.exp(a - m) + Math.exp(b - m));
        }
        return ll;
    }

    private static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
