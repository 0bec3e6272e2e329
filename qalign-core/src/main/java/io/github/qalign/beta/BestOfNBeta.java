package io.github.qalign.beta;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The best-of-n-equivalent temperature beta*(n) of the paper's Appendix A (Eq. 26): the beta at which the mode of
 * the aligned reward distribution pi(r|x) matches the Gumbel location of the maximum of n base-model rewards.
 *
 * <p>Recipe ({@link #estimate(double[], int, Options)}): model the rewards of base-model samples for one prompt as one
 * Gaussian ({@link #fitGaussian}) or a mixture of two ({@link #fitMixture(double[], Options)}), take the dominant
 * component d (weight w_d, standard deviation sigma_d), set n_d = w_d n and
 * <pre>
 *   c(n_d)   = sqrt(2 ln n_d) - (ln ln n_d + ln 4 pi) / (2 sqrt(2 ln n_d))      (Hall's location, Eq. 17)
 *   beta*(n) = sigma_d / c(n_d)                                              (Eq. 26)
 * </pre>
 * Eq. 10 in the main text prints the correction term inside the square root; Eq. 26, which follows from the mode
 * matching of Eq. 25, is implemented here. c(n) is within 0.023 standard deviations of the exact mode of the
 * maximum of n standard normals for n &ge; 32 (0.013 for n &ge; 64; tested).
 *
 * <p><b>The fit.</b> Two-component EM ({@link #fitMixture(double[], Options)}) runs from several starts: the data
 * split at the 20, 35, 50, 65 and 80% quantiles (each part's weight, mean and standard deviation), plus
 * {@link Options#randomStarts()} starts drawn from {@link Options#seed()} (two distinct data points as means, the
 * sample standard deviation, equal weights). Every start runs 20 EM steps; the two best (non-degenerate first, then
 * by likelihood) continue until the relative log-likelihood change |LL_t - LL_(t-1)| &le;
 * {@link Options#tolerance()} max(|LL_t|, 1) ({@link Mixture#converged()}) or until {@link Options#maxIterations()}
 * EM steps, and the better of the two is the fit. EM steps are accelerated by SQUAREM (see docs/algorithm.md). A fit
 * is <em>degenerate</em> when a component ends with fewer than 2 samples' worth of weight or with its variance at the
 * floor (10^-6 of the sample variance, which keeps a component from collapsing onto one point and the likelihood from
 * diverging). The one-component fit is the Gaussian MLE (sample mean, standard deviation with divisor m).
 *
 * <p><b>One or two components</b> ({@link Selection#BIC}, the default): the model with the smaller Bayesian
 * information criterion -2 LL + k ln m (k = 2 for one Gaussian, 5 for two) wins; a degenerate two-component fit never
 * does. On unimodal (Gaussian) rewards this chooses one component in nearly every sample (penalty 3 ln m, e.g. 14.6 at
 * m = 128), which removes the instability of always fitting two (issue 14: with m = 256 Gaussian rewards the
 * dominant weight ranged 0.09-0.98 and beta*(64) 0.258-0.938 for an ideal 0.318).
 *
 * <p><b>The dominant component.</b> The paper (Eq. 16) takes the component with the largest variance, ties broken by
 * the larger mean, because it dominates the far upper tail ({@link Dominant#LARGEST_VARIANCE}, the default);
 * {@link Dominant#LARGEST_MEAN} takes the upper component instead. When the two components are close — Ashman's
 * separation D = sqrt(2) |mu_1 - mu_2| / sqrt(sigma_1^2 + sigma_2^2) below {@link Options#minSeparation()}
 * (default 2, below which a two-Gaussian mixture has no clear second mode) — neither rule is meaningful (which
 * component is "wider" or "upper" depends on where EM stopped), so the mixture is replaced by its moment-matched
 * Gaussian (weight 1, the mixture's mean and standard deviation; for an EM fixed point these equal the sample's) and
 * {@link Estimate#merged()} is true. The same rule applied to known parameters gives the reference value in the tests.
 *
 * <p>Scale: EM runs on the rewards scaled by a power of two to a standard deviation in [1, 2) (exact in floating
 * point), so the fit does not depend on the rewards' units and extreme scales neither overflow nor underflow.
 *
 * <p>Domain: the expansion needs ln n_d &gt; 1, i.e. n_d &gt; e (about 2.72); below that c(n_d) is not a meaningful
 * location (and for n_d below about 1.5 it is negative), so {@link #beta(double, double)} throws an
 * {@link IllegalArgumentException} explaining that n (or the dominant weight) is too small.
 */
public final class BestOfNBeta {

    /** Default maximum EM iterations per start. */
    public static final int MAX_ITERATIONS = 5000;
    /** Default relative log-likelihood change at which EM stops. */
    public static final double TOLERANCE = 1e-9;

    private static final double LOG_4PI = Math.log(4 * Math.PI);
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final double[] SPLITS = {0.2, 0.35, 0.5, 0.65, 0.8};
    private static final double VARIANCE_FLOOR = 1e-6;
    private static final int SHORT_RUN = 20;

    private BestOfNBeta() {
    }

    /** Which mixture component is the dominant one (for well separated components; see the class comment). */
    public enum Dominant {
        /** The component with the largest variance, ties to the larger mean (the paper's Eq. 16). */
        LARGEST_VARIANCE,
        /** The component with the larger mean (the "upper" component). */
        LARGEST_MEAN
    }

    /** How many Gaussian components model the rewards. */
    public enum Selection {
        /** One or two, whichever has the smaller BIC (the default). */
        BIC,
        /** Always one Gaussian. */
        ONE,
        /** Always two components (the paper's recipe as printed). */
        TWO
    }

    /**
     * Fit settings; immutable, changed by copy ({@code Options.defaults().withRandomStarts(8)}).
     *
     * @param maxIterations maximum EM iterations per start, &ge; 1
     * @param tolerance     relative log-likelihood change at which EM has converged, in (0, 1)
     * @param randomStarts  EM starts drawn from {@code seed} in addition to the 5 quantile splits, &ge; 0
     * @param seed          seed of the random starts
     * @param minSeparation Ashman's D below which two components are merged into one Gaussian, &ge; 0 (0: never)
     * @param selection     how many components
     * @param dominant      the dominant-component rule for separated components
     */
    public record Options(int maxIterations, double tolerance, int randomStarts, long seed, double minSeparation,
                          Selection selection, Dominant dominant) {
        /**
         * Validates the settings.
         *
         * @param maxIterations see the record description
         * @param tolerance see the record description
         * @param randomStarts see the record description
         * @param seed see the record description
         * @param minSeparation see the record description
         * @param selection see the record description
         * @param dominant see the record description
         */
        public Options {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            }
            if (!(tolerance > 0 && tolerance < 1)) {
                throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
            }
            if (randomStarts < 0 || randomStarts > 1000) {
                throw new IllegalArgumentException("randomStarts must be in [0, 1000], got " + randomStarts);
            }
            if (!(minSeparation >= 0) || !Double.isFinite(minSeparation)) {
                throw new IllegalArgumentException("minSeparation must be finite and >= 0, got " + minSeparation);
            }
            Objects.requireNonNull(selection, "selection");
            Objects.requireNonNull(dominant, "dominant");
        }

        /**
         * The defaults: {@value #MAX_ITERATIONS} iterations, tolerance {@value #TOLERANCE}, 3 random starts from
         * seed 0, merge below D = 2, BIC selection, the paper's largest-variance rule.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(MAX_ITERATIONS, TOLERANCE, 3, 0L, 2.0, Selection.BIC, Dominant.LARGEST_VARIANCE);
        }

        /**
         * A copy with another iteration cap.
         *
         * @param v maximum EM iterations per start
         * @return the copy
         */
        public Options withMaxIterations(int v) {
            return new Options(v, tolerance, randomStarts, seed, minSeparation, selection, dominant);
        }

        /**
         * A copy with another convergence tolerance.
         *
         * @param v relative log-likelihood change
         * @return the copy
         */
        public Options withTolerance(double v) {
            return new Options(maxIterations, v, randomStarts, seed, minSeparation, selection, dominant);
        }

        /**
         * A copy with other random starts.
         *
         * @param starts number of random starts
         * @param seed   their seed
         * @return the copy
         */
        public Options withRandomStarts(int starts, long seed) {
            return new Options(maxIterations, tolerance, starts, seed, minSeparation, selection, dominant);
        }

        /**
         * A copy with another merge threshold.
         *
         * @param v Ashman's D below which components merge (0: never merge)
         * @return the copy
         */
        public Options withMinSeparation(double v) {
            return new Options(maxIterations, tolerance, randomStarts, seed, v, selection, dominant);
        }

        /**
         * A copy with another component selection.
         *
         * @param v the selection
         * @return the copy
         */
        public Options withSelection(Selection v) {
            return new Options(maxIterations, tolerance, randomStarts, seed, minSeparation, v, dominant);
        }

        /**
         * A copy with another dominant-component rule.
         *
         * @param v the rule
         * @return the copy
         */
        public Options withDominant(Dominant v) {
            return new Options(maxIterations, tolerance, randomStarts, seed, minSeparation, selection, v);
        }
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
     * A fitted (or given) Gaussian mixture of one or two components, ordered by mean.
     *
     * @param components    one or two components, ordered by mean, weights summing to 1
     * @param logLikelihood the total log-likelihood of the data at the fit (NaN for a mixture not fitted to data)
     * @param sampleSize    m, the number of rewards fitted (0 for a given mixture)
     * @param iterations    EM iterations of the chosen start (0 for one component)
     * @param converged     whether EM met the tolerance before the iteration cap (true for one component)
     * @param degenerate    whether a component has under 2 samples' worth of weight or its variance at the floor
     */
    public record Mixture(List<Component> components, double logLikelihood, int sampleSize, int iterations,
                          boolean converged, boolean degenerate) {
        /**
         * Validates and copies.
         *
         * @param components see the record description
         * @param logLikelihood see the record description
         * @param sampleSize see the record description
         * @param iterations see the record description
         * @param converged see the record description
         * @param degenerate see the record description
         */
        public Mixture {
            components = List.copyOf(components);
            if (components.isEmpty() || components.size() > 2) {
                throw new IllegalArgumentException("a mixture has 1 or 2 components, got " + components.size());
            }
            if (components.size() == 2 && components.get(0).mean() > components.get(1).mean()) {
                throw new IllegalArgumentException("components must be ordered by mean, got " + components);
            }
            double w = components.stream().mapToDouble(Component::weight).sum();
            if (Math.abs(w - 1) > 1e-9) {
                throw new IllegalArgumentException("component weights must sum to 1, got " + w);
            }
        }

        /**
         * A given mixture (not fitted), e.g. known parameters.
         *
         * @param components one or two components (any order)
         * @return the mixture
         */
        public static Mixture of(Component... components) {
            List<Component> c = new ArrayList<>(List.of(components));
            c.sort((a, b) -> Double.compare(a.mean(), b.mean()));
            return new Mixture(c, Double.NaN, 0, 0, true, false);
        }

        /**
         * The component with the smallest mean.
         *
         * @return the lower component (the only one for one component)
         */
        public Component lower() {
            return components.get(0);
        }

        /**
         * The component with the largest mean.
         *
         * @return the upper component (the only one for one component)
         */
        public Component upper() {
            return components.get(components.size() - 1);
        }

        /**
         * The mixture's mean.
         *
         * @return sum of w_k mu_k
         */
        public double mean() {
            double m = 0;
            for (Component c : components) {
                m += c.weight() * c.mean();
            }
            return m;
        }

        /**
         * The mixture's standard deviation.
         *
         * @return sqrt(sum of w_k (sigma_k^2 + (mu_k - mean)^2))
         */
        public double sd() {
            double mu = mean();
            double v = 0;
            for (Component c : components) {
                v += c.weight() * (c.sd() * c.sd() + (c.mean() - mu) * (c.mean() - mu));
            }
            return Math.sqrt(v);
        }

        /**
         * Ashman's D = sqrt(2) |mu_1 - mu_2| / sqrt(sigma_1^2 + sigma_2^2); 0 for one component.
         *
         * @return the separation of the components
         */
        public double separation() {
            if (components.size() == 1) {
                return 0;
            }
            Component a = lower();
            Component b = upper();
            return Math.sqrt(2) * (b.mean() - a.mean()) / Math.hypot(a.sd(), b.sd());
        }

        /**
         * The Bayesian information criterion -2 LL + k ln m, k = 3 * components - 1.
         *
         * @return the BIC (NaN for a mixture not fitted to data)
         */
        public double bic() {
            return -2 * logLikelihood + (3 * components.size() - 1) * Math.log(sampleSize);
        }

        /**
         * The dominant component under {@code rule}, without merging (see {@link #dominant(Dominant, double)}).
         *
         * @param rule how to choose
         * @return the dominant component
         */
        public Component dominant(Dominant rule) {
            Objects.requireNonNull(rule, "rule");
            if (components.size() == 1) {
                return lower();
            }
            return switch (rule) {
                case LARGEST_MEAN -> upper();
                case LARGEST_VARIANCE -> lower().sd() > upper().sd() ? lower() : upper();
            };
        }

        /**
         * The dominant component under {@code rule}, or the moment-matched Gaussian (weight 1) when two components
         * are closer than {@code minSeparation} (see the class comment).
         *
         * @param rule          how to choose between separated components
         * @param minSeparation Ashman's D below which the components merge
         * @return the dominant component
         */
        public Component dominant(Dominant rule, double minSeparation) {
            if (components.size() == 2 && separation() < minSeparation) {
                return new Component(1.0, mean(), sd());
            }
            return dominant(rule);
        }
    }

    /**
     * The result of {@link #estimate}.
     *
     * @param beta        beta*(n)
     * @param n           the best-of-n sample count
     * @param effectiveN  n_d = w_d n
     * @param dominant    the dominant component (the moment-matched Gaussian when {@code merged})
     * @param mixture     the model used (one or two components)
     * @param alternative the model not chosen by the selection (the one-component fit when two were chosen and vice
     *                    versa; equal to {@code mixture} for a given mixture)
     * @param merged      whether two close components were merged into one Gaussian
     */
    public record Estimate(double beta, int n, double effectiveN, Component dominant, Mixture mixture,
                           Mixture alternative, boolean merged) {
    }

    /**
     * beta*(n) from the rewards with the default {@link Options}.
     *
     * @param rewards base-model rewards for one prompt (at least 2 distinct finite values)
     * @param n       the best-of-n sample count
     * @return the estimate
     * @throws IllegalArgumentException for bad rewards or when n_d = w_d n is not above e
     */
    public static Estimate estimate(double[] rewards, int n) {
        return estimate(rewards, n, Options.defaults());
    }

    /**
     * beta*(n) from the rewards with the default options and the given dominant-component rule.
     *
     * @param rewards base-model rewards for one prompt (at least 2 distinct finite values)
     * @param n       the best-of-n sample count, >= 1
     * @param rule    the dominant-component rule
     * @return the estimate
     * @throws IllegalArgumentException for bad rewards or n, or when n_d = w_d n is not above e
     */
    public static Estimate estimate(double[] rewards, int n, Dominant rule) {
        return estimate(rewards, n, Options.defaults().withDominant(rule));
    }

    /**
     * beta*(n) from the rewards: fit one and two components, select, take the dominant component, apply Eq. 26.
     *
     * @param rewards base-model rewards for one prompt (at least 2 distinct finite values)
     * @param n       the best-of-n sample count, >= 1
     * @param options fit settings
     * @return the estimate
     * @throws IllegalArgumentException for bad rewards or n, or when n_d = w_d n is not above e
     */
    public static Estimate estimate(double[] rewards, int n, Options options) {
        checkN(n);
        Objects.requireNonNull(options, "options");
        Mixture one = fitGaussian(rewards);
        Mixture two = options.selection() == Selection.ONE ? one : fitMixture(rewards, options);
        boolean useTwo = switch (options.selection()) {
            case ONE -> false;
            case TWO -> true;
            case BIC -> !two.degenerate() && two.bic() < one.bic();
        };
        Mixture chosen = useTwo ? two : one;
        Estimate e = estimate(chosen, n, options);
        return new Estimate(e.beta(), n, e.effectiveN(), e.dominant(), chosen, useTwo ? one : two, e.merged());
    }

    /**
     * beta*(n) of a given mixture (fitted elsewhere, or known parameters), with the options' dominant rule and merge
     * threshold.
     *
     * @param mixture the reward model
     * @param n       the best-of-n sample count, >= 1
     * @param options the dominant rule and merge threshold
     * @return the estimate ({@code alternative} is the mixture itself)
     * @throws IllegalArgumentException for a bad n or when n_d = w_d n is not above e
     */
    public static Estimate estimate(Mixture mixture, int n, Options options) {
        checkN(n);
        Objects.requireNonNull(mixture, "mixture");
        Component d = mixture.dominant(options.dominant(), options.minSeparation());
        boolean merged = mixture.components().size() == 2 && mixture.separation() < options.minSeparation();
        double nd = d.weight() * n;
        return new Estimate(beta(d.sd(), nd), n, nd, d, mixture, mixture, merged);
    }

    private static void checkN(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
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
     * The one-Gaussian maximum-likelihood fit: sample mean and standard deviation (divisor m).
     *
     * @param rewards finite values, at least two distinct
     * @return a one-component mixture
     * @throws IllegalArgumentException if rewards are null, contain a non-finite value, or have fewer than two
     *                                  distinct values
     */
    public static Mixture fitGaussian(double[] rewards) {
        Scaled s = Scaled.of(rewards);
        double[] x = s.x;
        int m = x.length;
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= m;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= m;
        double ll = -0.5 * m * (LOG_2PI + Math.log(var) + 1);
        return new Mixture(List.of(new Component(1.0, Math.scalb(mean, s.k), Math.scalb(Math.sqrt(var), s.k))),
                ll - s.logScale(), m, 0, true, false);
    }

    /**
     * Two-component EM with the default options (see the class comment).
     *
     * @param rewards finite values, at least two distinct
     * @return the fit, components ordered by mean
     * @throws IllegalArgumentException if rewards are null, contain a non-finite value, or have fewer than two
     *                                  distinct values
     */
    public static Mixture fitMixture(double[] rewards) {
        return fitMixture(rewards, Options.defaults());
    }

    /**
     * Two-component EM from several starts (see the class comment).
     *
     * @param rewards finite values, at least two distinct
     * @param options iteration cap, tolerance and random starts
     * @return the best start's fit, components ordered by mean
     * @throws IllegalArgumentException if rewards are null, contain a non-finite value, or have fewer than two
     *                                  distinct values
     */
    public static Mixture fitMixture(double[] rewards, Options options) {
        Objects.requireNonNull(options, "options");
        Scaled s = Scaled.of(rewards);
        double[] x = s.x;
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        int m = x.length;
        double var = variance(x);
        List<double[]> starts = new ArrayList<>();
        for (double q : SPLITS) {
            int cut = Math.min(m - 1, Math.max(1, (int) Math.round(q * m)));
            double[] lo = Arrays.copyOfRange(sorted, 0, cut);
            double[] hi = Arrays.copyOfRange(sorted, cut, m);
            starts.add(new double[] {(double) cut / m, mean(lo), Math.max(variance(lo), 0.01 * var), mean(hi),
                Math.max(variance(hi), 0.01 * var)});
        }
        SplittableRandom rnd = new SplittableRandom(options.seed());
        for (int r = 0; r < options.randomStarts(); r++) {
            double a = x[rnd.nextInt(m)];
            double b = a;
            for (int tries = 0; tries < 64 && b == a; tries++) {
                b = x[rnd.nextInt(m)];
            }
            starts.add(new double[] {0.5, Math.min(a, b), var, Math.max(a, b), var});
        }
        // short runs from every start, then the two best continue to convergence (the "emEM" strategy of Biernacki,
        // Celeux and Govaert 2003): unimodal data make EM crawl, so crawling from every start would cost 4x more
        List<Fit> shortRuns = new ArrayList<>();
        for (double[] start : starts) {
            shortRuns.add(em(x, start, 0, var, options, Math.min(SHORT_RUN, options.maxIterations())));
        }
        shortRuns.sort((a, b) -> a.betterThan(b) ? -1 : b.betterThan(a) ? 1 : 0);
        Fit best = null;
        for (int i = 0; i < Math.min(2, shortRuns.size()); i++) {
            Fit f = shortRuns.get(i);
            if (!f.converged() && f.iterations() < options.maxIterations()) {
                f = em(x, new double[] {f.w0, f.mu0, f.v0, f.mu1, f.v1}, f.iterations(), var, options,
                        options.maxIterations());
            }
            if (best == null || f.betterThan(best)) {
                best = f;
            }
        }
        Component c0 = new Component(best.w0, Math.scalb(best.mu0, s.k), Math.scalb(Math.sqrt(best.v0), s.k));
        Component c1 = new Component(1 - best.w0, Math.scalb(best.mu1, s.k), Math.scalb(Math.sqrt(best.v1), s.k));
        List<Component> cs = c0.mean() <= c1.mean() ? List.of(c0, c1) : List.of(c1, c0);
        return new Mixture(cs, best.ll - s.logScale(), m, best.iterations, best.converged, best.degenerate);
    }

    /** One EM run on scaled data. */
    private record Fit(double w0, double mu0, double v0, double mu1, double v1, double ll, int iterations,
                       boolean converged, boolean degenerate) {
        /** Non-degenerate beats degenerate; then the higher likelihood. */
        boolean betterThan(Fit o) {
            return degenerate != o.degenerate ? o.degenerate : ll > o.ll;
        }
    }

    /**
     * EM from {@code start} = (w0, mu0, v0, mu1, v1), accelerated by SQUAREM (Varadhan and Roland 2008, scheme S3,
     * on logit w, mu, log v): two EM steps give r = F(t) - t and v = F(F(t)) - 2F(t) + t, the extrapolation
     * t - 2a r + a^2 v with a = -max(1, |r| / |v|) is kept only if its likelihood is at least that of F(t) (else the
     * plain double step F(F(t)) is taken), so the likelihood never decreases. On overlapping components plain EM
     * converges sublinearly (tens of thousands of iterations); the extrapolation cuts that by one to two orders of
     * magnitude. {@code iterations} counts EM steps (E and M passes over the data).
     */
    private static Fit em(double[] x, double[] start, int done, double sampleVar, Options options, int maxIterations) {
        EmMap f = new EmMap(x, VARIANCE_FLOOR * sampleVar);
        double[] t0 = {logit(start[0]), start[1], Math.log(Math.max(start[2], f.floor)), start[3],
            Math.log(Math.max(start[4], f.floor))};
        double[] t1 = new double[5];
        double[] t2 = new double[5];
        double[] tx = new double[5];
        double[] t3 = new double[5];
        double prevLl = Double.NEGATIVE_INFINITY;
        int it = done;
        boolean converged = false;
        boolean lostMass = false;
        while (it < maxIterations) {
            double ll0 = f.step(t0, t1);
            it++;
            if (Double.isNaN(ll0)) {
                lostMass = true;
                break;
            }
            if (Math.abs(ll0 - prevLl) <= options.tolerance() * Math.max(Math.abs(ll0), 1.0)) {
                prevLl = ll0;
                converged = true;
                break;
            }
            prevLl = ll0;
            double ll1 = f.step(t1, t2);
            it++;
            if (Double.isNaN(ll1)) {
                System.arraycopy(t1, 0, t0, 0, 5);
                continue;
            }
            double rr = 0;
            double vv = 0;
            for (int j = 0; j < 5; j++) {
                double r = t1[j] - t0[j];
                double v = t2[j] - 2 * t1[j] + t0[j];
                rr += r * r;
                vv += v * v;
            }
            double alpha = vv > 0 ? -Math.max(1.0, Math.sqrt(rr / vv)) : -1.0;
            for (int j = 0; j < 5; j++) {
                double r = t1[j] - t0[j];
                double v = t2[j] - 2 * t1[j] + t0[j];
                tx[j] = t0[j] - 2 * alpha * r + alpha * alpha * v;
            }
            double llx = alpha < -1 ? f.step(tx, t3) : Double.NaN;
            if (alpha < -1) {
                it++;
            }
            if (!Double.isNaN(llx) && llx >= ll1) {
                System.arraycopy(t3, 0, t0, 0, 5); // the extrapolated point, stabilized by one EM step
            } else {
                System.arraycopy(t2, 0, t0, 0, 5); // plain EM: F(F(t0))
            }
        }
        double w0 = sigmoid(t0[0]);
        double v0 = Math.max(Math.exp(t0[2]), f.floor);
        double v1 = Math.max(Math.exp(t0[4]), f.floor);
        double ll = converged ? prevLl : logLikelihood(x, w0, t0[1], v0, t0[3], v1);
        int m = x.length;
        boolean degenerate = lostMass || w0 * m < 2 || (1 - w0) * m < 2 || v0 <= f.floor * (1 + 1e-9)
                || v1 <= f.floor * (1 + 1e-9);
        return new Fit(w0, t0[1], v0, t0[3], v1, ll, it, converged, degenerate);
    }

    private static double logit(double w) {
        return Math.log(w) - Math.log1p(-w);
    }

    private static double sigmoid(double t) {
        return 1 / (1 + Math.exp(-t));
    }

    /** One EM step on (logit w0, mu0, log v0, mu1, log v1). */
    private static final class EmMap {
        private final double[] x;
        private final double floor;
        private final double[] resp;

        EmMap(double[] x, double floor) {
            this.x = x;
            this.floor = floor;
            this.resp = new double[x.length];
        }

        /** Writes F(t) into out; returns the log-likelihood at t, NaN if a component lost all mass. */
        double step(double[] t, double[] out) {
            int m = x.length;
            double w0 = sigmoid(t[0]);
            double mu0 = t[1];
            double v0 = Math.max(Math.exp(t[2]), floor);
            double mu1 = t[3];
            double v1 = Math.max(Math.exp(t[4]), floor);
            if (!(w0 > 0 && w0 < 1) || !Double.isFinite(mu0) || !Double.isFinite(mu1) || !Double.isFinite(v0)
                    || !Double.isFinite(v1)) {
                return Double.NaN;
            }
            double lw0 = Math.log(w0) - 0.5 * (LOG_2PI + Math.log(v0));
            double lw1 = Math.log1p(-w0) - 0.5 * (LOG_2PI + Math.log(v1));
            double ll = 0;
            double n1 = 0;
            double s1 = 0;
            double s0 = 0;
            for (int i = 0; i < m; i++) {
                double d0 = x[i] - mu0;
                double d1 = x[i] - mu1;
                double a = lw0 - d0 * d0 / (2 * v0);
                double b = lw1 - d1 * d1 / (2 * v1);
                double hi = Math.max(a, b);
                double lse = hi + Math.log(Math.exp(a - hi) + Math.exp(b - hi));
                double r = Math.exp(b - lse);
                resp[i] = r;
                ll += lse;
                n1 += r;
                s1 += r * x[i];
                s0 += (1 - r) * x[i];
            }
            double n0 = m - n1;
            if (n0 < 1e-9 || n1 < 1e-9 || !Double.isFinite(ll)) {
                return Double.NaN;
            }
            double nm0 = s0 / n0;
            double nm1 = s1 / n1;
            double q0 = 0;
            double q1 = 0;
            for (int i = 0; i < m; i++) {
                double d0 = x[i] - nm0;
                double d1 = x[i] - nm1;
                q0 += (1 - resp[i]) * d0 * d0;
                q1 += resp[i] * d1 * d1;
            }
            out[0] = Math.log(n0) - Math.log(n1);
            out[1] = nm0;
            out[2] = Math.log(Math.max(q0 / n0, floor));
            out[3] = nm1;
            out[4] = Math.log(Math.max(q1 / n1, floor));
            return ll;
        }
    }

    private static double logLikelihood(double[] x, double w0, double mu0, double v0, double mu1, double v1) {
        double lw0 = Math.log(w0) - 0.5 * (LOG_2PI + Math.log(v0));
        double lw1 = Math.log(1 - w0) - 0.5 * (LOG_2PI + Math.log(v1));
        double ll = 0;
        for (double xi : x) {
            double a = lw0 - (xi - mu0) * (xi - mu0) / (2 * v0);
            double b = lw1 - (xi - mu1) * (xi - mu1) / (2 * v1);
            double hi = Math.max(a, b);
            ll += hi + Math.log(Math.exp(a - hi) + Math.exp(b - hi));
        }
        return ll;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double variance(double[] x) {
        double mu = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - mu) * (v - mu);
        }
        return s / x.length;
    }

    /** Rewards validated and scaled by 2^-k to a standard deviation in [1, 2). */
    private record Scaled(double[] x, int k) {
        static Scaled of(double[] rewards) {
            Objects.requireNonNull(rewards, "rewards");
            int n = rewards.length;
            double maxAbs = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(rewards[i])) {
                    throw new IllegalArgumentException("rewards[" + i + "] must be finite, got " + rewards[i]);
                }
                maxAbs = Math.max(maxAbs, Math.abs(rewards[i]));
                min = Math.min(min, rewards[i]);
                max = Math.max(max, rewards[i]);
            }
            if (n < 2 || min == max) {
                throw new IllegalArgumentException("rewards must hold at least two distinct values to fit a "
                        + "mixture, got " + n + " value(s)" + (n > 0 ? " all equal to " + min : ""));
            }
            // x / 2^k with the standard deviation in [1, 2): scaling by a power of two is exact, keeps the variance
            // from overflowing or underflowing, and makes the convergence test independent of the units
            int k = Math.getExponent(maxAbs);
            k += Math.getExponent(Math.sqrt(variance(scale(rewards, k))));
            return new Scaled(scale(rewards, k), k);
        }

        private static double[] scale(double[] x, int k) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = Math.scalb(x[i], -k);
            }
            return out;
        }

        /** The log-likelihood of the original data is that of the scaled data minus m k ln 2. */
        double logScale() {
            return x.length * k * Math.log(2);
        }
    }
}
