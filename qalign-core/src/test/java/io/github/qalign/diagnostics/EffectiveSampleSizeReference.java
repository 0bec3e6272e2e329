package io.github.qalign.diagnostics;

import java.util.Objects;

/**
 * The O(n^2) implementation this project shipped before the FFT one (commit 0475a69), kept verbatim as the reference
 * the new one must reproduce on stationary traces.
 *
 * Effective sample size of a correlated trace with Geyer's (1992) initial monotone sequence estimator.
 *
 * <p>With lag-k autocorrelations {@code rho_k = gamma_k / gamma_0} (biased autocovariances, divisor n, sample mean
 * removed), the pair sums {@code Gamma_m = rho_{2m} + rho_{2m+1}} are summed while positive (initial positive
 * sequence) and forced non-increasing (initial monotone sequence); the integrated autocorrelation time is
 * {@code tau = -1 + 2 * sum_m Gamma_m} and {@code ESS = n / tau}. For an AR(1) process with coefficient phi,
 * {@code tau = (1 + phi) / (1 - phi)}; for iid data {@code tau = 1}.
 *
 * <p>Conventions: a trace of length 0 has ESS 0, of length 1 has ESS 1; a constant trace (zero variance) carries no
 * correlation information and gets ESS {@code n}; {@code tau} is floored at {@code 1 / log10(max(n, 10))}, i.e. the
 * ESS is capped at {@code n * log10(n)} for strongly antithetic traces (as Stan does).
 */
final class EffectiveSampleSizeReference {

    private EffectiveSampleSizeReference() {
    }

    /**
     * Geyer's initial monotone sequence ESS of {@code x}.
     *
     * @throws IllegalArgumentException if {@code x} holds a non-finite value
     * @param x the trace, finite values
     * @return the effective sample size, in [0, n log10(max(n, 10))]
     */
    public static double geyer(double[] x) {
        Objects.requireNonNull(x, "x");
        return x.length == 0 ? 0.0 : x.length / autocorrelationTime(x);
    }

    /**
     * The integrated autocorrelation time {@code tau} (so that {@code ESS = n / tau}) by Geyer's initial monotone
     * sequence estimator; 1 for traces shorter than 2 or constant.
     *
     * @throws IllegalArgumentException if {@code x} holds a non-finite value
     * @param x the trace, finite values
     * @return {@code tau}, &gt; 0
     */
    public static double autocorrelationTime(double[] x) {
        Objects.requireNonNull(x, "x");
        int n = x.length;
        double maxAbs = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("trace value x[" + i + "] is not finite: " + x[i]);
            }
            maxAbs = Math.max(maxAbs, Math.abs(x[i]));
        }
        if (n < 2 || maxAbs == 0) {
            return 1.0;
        }
        // tau is scale-invariant: work on x / 2^k with |x| < 2 (exact), so sums of squares never overflow
        int k = Math.getExponent(maxAbs);
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += Math.scalb(x[i], -k);
        }
        mean /= n;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = Math.scalb(x[i], -k) - mean;
        }
        double gamma0 = autocov(d, 0);
        if (!(gamma0 > 1e-300 * Math.max(1.0, mean * mean))) {
            return 1.0;
        }
        double sum = 0;
        double prev = Double.POSITIVE_INFINITY;
        for (int m = 0; 2 * m < n; m++) {
            double r0 = autocov(d, 2 * m) / gamma0;
            double r1 = 2 * m + 1 < n ? autocov(d, 2 * m + 1) / gamma0 : 0.0;
            double pair = r0 + r1;
            if (pair <= 0) {
                break;
            }
            pair = Math.min(pair, prev);
            sum += pair;
            prev = pair;
        }
        double tau = -1 + 2 * sum;
        double floor = 1.0 / Math.log10(Math.max(n, 10));
        return Math.max(tau, floor);
    }

    private static double autocov(double[] d, int lag) {
        int n = d.length;
        double s = 0;
        for (int i = 0; i + lag < n; i++) {
            s += d[i] * d[i + lag];
        }
        return s / n;
    }
}
