package io.github.qalign.diagnostics;

import java.util.Arrays;
import java.util.Objects;
import org.apache.commons.math3.special.Erf;

/**
 * The potential scale reduction factor R-hat of several chains of one quantity, split and rank-normalized as in
 * Vehtari, Gelman, Simpson, Carpenter and Buerkner (2021), "Rank-normalization, folding, and localization: an
 * improved R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2) — the definition ArviZ's
 * {@code az.rhat(method="rank")} (its default) and Stan use.
 *
 * <p>Recipe, for M chains of N draws each:
 * <ol>
 *   <li>split: every chain becomes two chains, its first and its last {@code floor(N/2)} draws (the middle draw of an
 *       odd N is dropped), so a chain that drifts disagrees with itself;</li>
 *   <li>rank-normalize: pool the 2M half-chains, rank all S values (ties share their average rank) and map rank r to
 *       {@code z = Phi^-1((r - 3/8) / (S + 1/4))};</li>
 *   <li>classic R-hat of the z values: with n draws per half-chain, W the mean within-half-chain variance and B the
 *       between-half-chain variance of the means (both with divisor "count - 1", B multiplied by n),
 *       {@code R = sqrt(((n - 1)/n W + B/n) / W)};</li>
 *   <li>the same for the folded draws {@code |x - median(x)|} (sensitive to chains that differ in spread, not
 *       location); the result is the larger of the two ("bulk" and "tail").</li>
 * </ol>
 * Values near 1 mean the chains agree; Vehtari et al. recommend trusting results only below 1.01.
 *
 * <p>Degenerate cases: if every draw is identical the chains agree and R-hat is 1; if every half-chain is constant but
 * they differ, within-chain variance is 0 and R-hat is {@code +Infinity} (never NaN).
 */
public final class SplitRhat {

    private SplitRhat() {
    }

    /**
     * Rank-normalized split-R-hat: max(bulk, folded tail), as ArviZ's default {@code az.rhat}.
     *
     * @param chains M &gt;= 1 chains of equal length N &gt;= 4, finite values
     * @return R-hat &gt;= about 1, or +Infinity (see the class comment)
     * @throws IllegalArgumentException for no chains, unequal or too short chains, or non-finite values
     */
    public static double rankNormalized(double[][] chains) {
        check(chains);
        double[][] split = split(chains);
        double bulk = rankRhat(split);
        double median = median(chains);
        double[][] folded = new double[chains.length][];
        for (int c = 0; c < chains.length; c++) {
            folded[c] = new double[chains[c].length];
            for (int i = 0; i < folded[c].length; i++) {
                folded[c][i] = Math.abs(chains[c][i] - median);
            }
        }
        double tail = rankRhat(split(folded));
        return Math.max(bulk, tail);
    }

    /**
     * Classic split-R-hat (Gelman et al., BDA3, Eq. 11.4, on split chains) without rank normalization: sensitive to
     * heavy tails, given for comparison with older tools ({@code az.rhat(method="split")}).
     *
     * @param chains M &gt;= 1 chains of equal length N &gt;= 4, finite values
     * @return R-hat, or +Infinity (see the class comment)
     * @throws IllegalArgumentException for no chains, unequal or too short chains, or non-finite values
     */
    public static double classic(double[][] chains) {
        check(chains);
        return rhat(split(chains));
    }

    private static void check(double[][] chains) {
        Objects.requireNonNull(chains, "chains");
        if (chains.length == 0) {
            throw new IllegalArgumentException("R-hat needs at least one chain, got none");
        }
        int n = Objects.requireNonNull(chains[0], "chains[0]").length;
        if (n < 4) {
            throw new IllegalArgumentException("R-hat needs chains of at least 4 draws, chains[0] has " + n);
        }
        for (int c = 0; c < chains.length; c++) {
            double[] x = Objects.requireNonNull(chains[c], "chains[" + c + "]");
            if (x.length != n) {
                throw new IllegalArgumentException("R-hat needs chains of equal length: chains[0] has " + n
                        + " draws, chains[" + c + "] has " + x.length);
            }
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(x[i])) {
                    throw new IllegalArgumentException("chains[" + c + "][" + i + "] is not finite: " + x[i]);
                }
            }
        }
    }

    private static double[][] split(double[][] chains) {
        int n = chains[0].length;
        int half = n / 2;
        double[][] out = new double[2 * chains.length][];
        for (int c = 0; c < chains.length; c++) {
            out[2 * c] = Arrays.copyOfRange(chains[c], 0, half);
            out[2 * c + 1] = Arrays.copyOfRange(chains[c], n - half, n);
        }
        return out;
    }

    private static double median(double[][] chains) {
        double[] all = Arrays.stream(chains).flatMapToDouble(Arrays::stream).sorted().toArray();
        int s = all.length;
        return s % 2 == 1 ? all[s / 2] : (all[s / 2 - 1] + all[s / 2]) / 2;
    }

    /**
     * Classic R-hat of the rank-normalized chains. Only each chain's sum and sum of squares of z are needed, so the
     * chains are sorted one by one and merged (ties across chains grouped to their average rank), which keeps the
     * cost at O(S log n + S M) for S values in M chains with primitive arrays only.
     */
    static double rankRhat(double[][] chains) {
        int m = chains.length;
        int n = chains[0].length;
        int s = m * n;
        double[][] sorted = new double[m][];
        for (int c = 0; c < m; c++) {
            sorted[c] = chains[c].clone();
            Arrays.sort(sorted[c]);
        }
        int[] head = new int[m];
        double[] sum = new double[m];
        double[] sumSq = new double[m];
        int[] ties = new int[m];
        int pos = 0; // values already ranked
        while (pos < s) {
            double v = Double.POSITIVE_INFINITY;
            boolean any = false;
            for (int c = 0; c < m; c++) {
                if (head[c] < n && (!any || sorted[c][head[c]] < v)) {
                    v = sorted[c][head[c]];
                    any = true;
                }
            }
            int t = 0;
            for (int c = 0; c < m; c++) {
                int k = 0;
                while (head[c] + k < n && sorted[c][head[c] + k] == v) {
                    k++;
                }
                ties[c] = k;
                t += k;
            }
            double rank = pos + (t + 1) / 2.0; // 1-based average rank of positions pos+1 .. pos+t
            double z = Math.sqrt(2) * Erf.erfInv(2 * ((rank - 0.375) / (s + 0.25)) - 1);
            for (int c = 0; c < m; c++) {
                if (ties[c] > 0) {
                    sum[c] += ties[c] * z;
                    sumSq[c] += ties[c] * z * z;
                    head[c] += ties[c];
                }
            }
            pos += t;
        }
        double[] means = new double[m];
        double[] vars = new double[m];
        for (int c = 0; c < m; c++) {
            means[c] = sum[c] / n;
            double v = (sumSq[c] - n * means[c] * means[c]) / (n - 1);
            vars[c] = v > 1e-12 ? v : 0; // z is of unit scale: below 1e-12 is rounding of a constant chain
        }
        return rhat(means, vars, n);
    }

    /** Classic R-hat of the given (already split) chains. */
    static double rhat(double[][] chains) {
        int m = chains.length;
        int n = chains[0].length;
        double[] means = new double[m];
        double[] vars = new double[m];
        for (int c = 0; c < m; c++) {
            double mean = 0;
            for (double v : chains[c]) {
                mean += v;
            }
            mean /= n;
            means[c] = mean;
            double var = 0;
            for (double v : chains[c]) {
                var += (v - mean) * (v - mean);
            }
            vars[c] = var / (n - 1);
        }
        return rhat(means, vars, n);
    }

    /** R-hat from the chains' means and variances (divisor n - 1), n draws each. */
    private static double rhat(double[] means, double[] vars, int n) {
        int m = means.length;
        double within = 0;
        for (double v : vars) {
            within += v;
        }
        within /= m;
        double grand = 0;
        for (double mu : means) {
            grand += mu;
        }
        grand /= m;
        double between = 0;
        for (double mu : means) {
            between += (mu - grand) * (mu - grand);
        }
        between = m > 1 ? n * between / (m - 1) : 0;
        if (!(within > 0)) {
            return between > 0 ? Double.POSITIVE_INFINITY : 1.0;
        }
        return Math.sqrt((between / within + n - 1) / n);
    }
}
