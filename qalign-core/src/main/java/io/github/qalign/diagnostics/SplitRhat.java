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
        double bulk = rhat(zScale(split));
        double median = median(chains);
        double[][] folded = new double[chains.length][];
        for (int c = 0; c < chains.length; c++) {
            folded[c] = new double[chains[c].length];
            for (int i = 0; i < folded[c].length; i++) {
                folded[c][i] = Math.abs(chains[c][i] - median);
            }
        }
        double tail = rhat(zScale(split(folded)));
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

    /** Average ranks of the pooled values mapped through the normal quantile function. */
    static double[][] zScale(double[][] chains) {
        int m = chains.length;
        int n = chains[0].length;
        int s = m * n;
        double[] values = new double[s];
        Integer[] order = new Integer[s];
        for (int c = 0; c < m; c++) {
            System.arraycopy(chains[c], 0, values, c * n, n);
        }
        for (int i = 0; i < s; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] rank = new double[s];
        for (int i = 0; i < s; ) {
            int j = i;
            while (j + 1 < s && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                rank[order[k]] = avg;
            }
            i = j + 1;
        }
        double[][] z = new double[m][n];
        for (int c = 0; c < m; c++) {
            for (int i = 0; i < n; i++) {
                double p = (rank[c * n + i] - 0.375) / (s + 0.25);
                z[c][i] = Math.sqrt(2) * Erf.erfInv(2 * p - 1);
            }
        }
        return z;
    }

    /** Classic R-hat of the given (already split) chains. */
    static double rhat(double[][] chains) {
        int m = chains.length;
        int n = chains[0].length;
        double[] means = new double[m];
        double within = 0;
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
            within += var / (n - 1);
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
