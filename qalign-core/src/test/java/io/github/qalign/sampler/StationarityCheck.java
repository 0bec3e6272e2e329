package io.github.qalign.sampler;

import io.github.qalign.diagnostics.EffectiveSampleSize;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ExactDistribution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Compares the states of several independent Markov chains with an exact distribution pi, accounting for
 * autocorrelation through effective sample sizes (ESS).
 *
 * <h2>TV bound</h2>
 * Let N be the total number of (post burn-in) states over K independent chains and p_hat(y) the pooled empirical
 * frequency. For each support point y, the indicator trace 1[y^t = y] of chain k has autocorrelation time tau_{k,y}
 * (Geyer initial monotone sequence estimator), so chain k carries ESS_{k,y} = n_k / tau_{k,y} effective draws of the
 * indicator and ESS_y = sum_k ESS_{k,y} (independent chains). By the Markov-chain CLT,
 * d_y = p_hat(y) - pi(y) is approximately N(0, s_y^2) with s_y^2 = pi(y)(1 - pi(y)) / ESS_y. Then
 * E[TV] = 0.5 sum_y E|d_y| <= 0.5 sum_y s_y =: B (Jensen; for a half-normal E|d| = s sqrt(2/pi) < s, so B is
 * conservative). The terms are nearly uncorrelated (multinomial-type covariances are negative), so
 * Var(TV) ~= 0.25 sum_y Var|d_y| = 0.25 (1 - 2/pi) sum_y s_y^2 =: sigma^2. The check passes when
 * TV <= B + 4 sigma: a mean bound plus four standard deviations of a sum of many small terms.
 * (Every ESS here is the smaller of Geyer's estimate and a between-chain estimate, see {@code conservativeEss}.)
 *
 * <h2>Chi-square (second-order Rao-Scott corrected)</h2>
 * Bins: every y with pi(y) * ESS_min >= 5 gets its own bin, where ESS_min is the smallest ESS_y over support points
 * with pi(y) >= 0.01 (conservative: every bin has at least 5 expected EFFECTIVE draws); the rest are pooled into
 * one bin (merged into the smallest bin if the pool's expectation is still below 5). Pearson's statistic
 * X^2 = N sum_b (p_hat_b - pi_b)^2 / pi_b assumes N independent draws; then X^2 ~ chi-square(k - 1). Under
 * autocorrelation, X^2 ~ sum_i lambda_i Z_i^2 where lambda_i are the eigenvalues of M = diag(N / pi) V and V is the
 * covariance of the bin frequencies (Rao and Scott 1981, 1984). We model V with the per-bin design effects
 * deff_b = N / ESS_b (ESS_b from the bin's indicator trace, summed over chains) and multinomial-shaped correlations:
 * V_bb = deff_b pi_b (1 - pi_b) / N, V_ab = -sqrt(deff_a deff_b) pi_a pi_b / N. Then
 * tr M = sum_b deff_b (1 - pi_b) and tr M^2 = sum_b deff_b^2 (1 - pi_b)^2 + sum_{a != b} deff_a deff_b pi_a pi_b
 * (both equal d (k - 1) and d^2 (k - 1) when every deff equals d, recovering Pearson's test). Satterthwaite's
 * second-order correction matches the first two moments: X^2 * nu / tr M ~ chi-square(nu) with
 * nu = (tr M)^2 / tr M^2. The check passes when its p-value is >= 1e-3.
 * A state outside pi's support fails the check outright.
 */
final class StationarityCheck {

    /** Result of a check. */
    record Outcome(double tv, double tvBound, double chiSquare, double df, double pValue, double meanDeff, int n,
                   boolean outsideSupport) {
        boolean tvOk() {
            return !outsideSupport && tv <= tvBound;
        }

        boolean chiSquareOk() {
            return !outsideSupport && pValue >= 1e-3;
        }

        boolean passes() {
            return tvOk() && chiSquareOk();
        }

        @Override
        public String toString() {
            return String.format("TV=%.4f bound=%.4f chi2RS=%.1f df=%.1f p=%.3g meanDeff=%.1f N=%d outside=%s", tv,
                    tvBound, chiSquare, df, pValue, meanDeff, n, outsideSupport);
        }
    }

    private StationarityCheck() {
    }

    static Outcome check(ExactDistribution pi, List<List<TokenIds>> chains) {
        List<TokenIds> support = new ArrayList<>(pi.probabilities().keySet());
        Map<TokenIds, Integer> idx = new HashMap<>();
        for (int i = 0; i < support.size(); i++) {
            idx.put(support.get(i), i);
        }
        int m = support.size();
        double[] prob = new double[m];
        for (int y = 0; y < m; y++) {
            prob[y] = pi.probability(support.get(y));
        }
        List<int[]> traces = new ArrayList<>();
        double[] counts = new double[m];
        int n = 0;
        boolean outside = false;
        for (List<TokenIds> chain : chains) {
            int[] trace = new int[chain.size()];
            for (int t = 0; t < chain.size(); t++) {
                Integer i = idx.get(chain.get(t));
                if (i == null) {
                    outside = true;
                    trace[t] = -1;
                } else {
                    trace[t] = i;
                    counts[i]++;
                }
            }
            traces.add(trace);
            n += chain.size();
        }
        int[] identity = new int[m];
        for (int y = 0; y < m; y++) {
            identity[y] = y;
        }
        double[] ess = conservativeEss(traces, identity, m, groupEss(traces, identity, m));

        double tv = 0;
        double bound = 0;
        double var = 0;
        double minEss = Double.POSITIVE_INFINITY;
        for (int y = 0; y < m; y++) {
            double phat = counts[y] / n;
            tv += 0.5 * Math.abs(phat - prob[y]);
            double s2 = prob[y] * (1 - prob[y]) / ess[y];
            bound += 0.5 * Math.sqrt(s2);
            var += 0.25 * (1 - 2 / Math.PI) * s2;
            if (prob[y] >= 0.01) {
                minEss = Math.min(minEss, ess[y]);
            }
        }
        double tvBound = bound + 4 * Math.sqrt(var);

        // bins: own bin if pi * ESS_min >= 5, else the pool (bin index = nBins at the end)
        int[] binOf = new int[m];
        int nBins = 0;
        double poolPi = 0;
        for (int y = 0; y < m; y++) {
            if (prob[y] * minEss >= 5) {
                binOf[y] = nBins++;
            } else {
                binOf[y] = -1;
                poolPi += prob[y];
            }
        }
        if (poolPi > 0) {
            int poolBin;
            if (poolPi * minEss >= 5 || nBins == 0) {
                poolBin = nBins++;
            } else {
                poolBin = 0;
                for (int y = 0; y < m; y++) {
                    if (binOf[y] >= 0 && prob[y] < prob[indexOfBin(binOf, prob, poolBin)]) {
                        poolBin = binOf[y];
                    }
                }
            }
            for (int y = 0; y < m; y++) {
                if (binOf[y] < 0) {
                    binOf[y] = poolBin;
                }
            }
        }
        double[] binPi = new double[nBins];
        double[] binCount = new double[nBins];
        for (int y = 0; y < m; y++) {
            binPi[binOf[y]] += prob[y];
            binCount[binOf[y]] += counts[y];
        }
        // singleton bins reuse the per-state ESS; only bins holding several states are recomputed
        int[] members = new int[nBins];
        int[] member = new int[nBins];
        for (int y = 0; y < m; y++) {
            members[binOf[y]]++;
            member[binOf[y]] = y;
        }
        int[] multiOf = new int[m];
        int multi = 0;
        int[] multiIndex = new int[nBins];
        for (int b = 0; b < nBins; b++) {
            multiIndex[b] = members[b] > 1 ? multi++ : -1;
        }
        for (int y = 0; y < m; y++) {
            multiOf[y] = multiIndex[binOf[y]];
        }
        double[] multiEss = conservativeEss(traces, multiOf, multi, groupEss(traces, multiOf, multi));
        double[] binEss = new double[nBins];
        for (int b = 0; b < nBins; b++) {
            binEss[b] = members[b] > 1 ? multiEss[multiIndex[b]] : ess[member[b]];
        }
        // Pearson statistic and its second-order (Satterthwaite) Rao-Scott correction, see the class comment
        double x2 = 0;
        double[] deff = new double[nBins];
        double meanDeff = 0;
        for (int b = 0; b < nBins; b++) {
            double d = binCount[b] / n - binPi[b];
            x2 += n * d * d / binPi[b];
            deff[b] = n / binEss[b];
            meanDeff += deff[b] / nBins;
        }
        double trM = 0;
        double trM2 = 0;
        double sumDp = 0;
        double sumD2p2 = 0;
        for (int b = 0; b < nBins; b++) {
            trM += deff[b] * (1 - binPi[b]);
            trM2 += deff[b] * deff[b] * (1 - binPi[b]) * (1 - binPi[b]);
            sumDp += deff[b] * binPi[b];
            sumD2p2 += deff[b] * deff[b] * binPi[b] * binPi[b];
        }
        trM2 += sumDp * sumDp - sumD2p2;
        double nu = trM * trM / trM2;
        double x2rs = x2 * nu / trM;
        int df = nBins - 1;
        double pValue = df < 1 ? 1.0 : 1 - new ChiSquaredDistribution(null, nu).cumulativeProbability(x2rs);
        return new Outcome(tv, tvBound, x2rs, nu, pValue, meanDeff, n, outside);
    }

    private static int indexOfBin(int[] binOf, double[] prob, int bin) {
        for (int y = 0; y < binOf.length; y++) {
            if (binOf[y] == bin) {
                return y;
            }
        }
        throw new IllegalStateException("no state in bin " + bin);
    }

    /**
     * Takes, per group, the smaller of the Geyer ESS and the between-chain ESS: with K independent chains of equal
     * length, the variance of the pooled frequency is estimated without any autocorrelation model by
     * s^2_between / K (s^2_between: sample variance of the K per-chain frequencies), and
     * ESS_between = p_hat (1 - p_hat) / (s^2_between / K). Both estimators are consistent; in short runs where a
     * rare long excursion dominates a trace, Geyer's estimate from one chain can be too optimistic, so the check uses
     * the more conservative of the two.
     */
    private static double[] conservativeEss(List<int[]> traces, int[] groupOf, int groups, double[] geyer) {
        int k = traces.size();
        if (k < 2) {
            return geyer;
        }
        int len = traces.get(0).length;
        for (int[] t : traces) {
            if (t.length != len) {
                return geyer;
            }
        }
        double[][] freq = new double[groups][k];
        for (int c = 0; c < k; c++) {
            for (int s : traces.get(c)) {
                if (s >= 0 && groupOf[s] >= 0) {
                    freq[groupOf[s]][c] += 1.0 / len;
                }
            }
        }
        double[] out = geyer.clone();
        for (int g = 0; g < groups; g++) {
            double mean = 0;
            for (double f : freq[g]) {
                mean += f / k;
            }
            double s2 = 0;
            for (double f : freq[g]) {
                s2 += (f - mean) * (f - mean) / (k - 1);
            }
            double varPooled = s2 / k;
            if (varPooled > 0) {
                out[g] = Math.min(out[g], mean * (1 - mean) / varPooled);
            }
        }
        return out;
    }

    /** ESS of each group's indicator trace, summed over chains; groupOf maps a state index to its group. */
    private static double[] groupEss(List<int[]> traces, int[] groupOf, int groups) {
        double[] ess = new double[groups];
        for (int[] trace : traces) {
            double[] ind = new double[trace.length];
            for (int g = 0; g < groups; g++) {
                for (int t = 0; t < trace.length; t++) {
                    ind[t] = trace[t] >= 0 && groupOf[trace[t]] == g ? 1 : 0;
                }
                ess[g] += EffectiveSampleSize.geyer(ind);
            }
        }
        return ess;
    }
}
