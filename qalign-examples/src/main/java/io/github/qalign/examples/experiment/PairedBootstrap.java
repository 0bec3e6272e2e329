package io.github.qalign.examples.experiment;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Paired percentile bootstrap over prompts: {@code resamples} multisets of the prompt indices are drawn once from a
 * seeded generator, and every statistic (a method's mean, a difference of two methods' means) is computed on the SAME
 * resampled prompts, so differences keep their pairing. Intervals are the 2.5% and 97.5% percentiles (linear
 * interpolation between order statistics); the two-sided p-value of a difference is
 * {@code min(1, 2 min(P*(d <= 0), P*(d >= 0)))} over the bootstrap distribution.
 */
public final class PairedBootstrap {

    /**
     * A point estimate with its 95% bootstrap interval.
     *
     * @param estimate the statistic on the original sample (mean over prompts)
     * @param lo       2.5% percentile
     * @param hi       97.5% percentile
     * @param pValue   two-sided bootstrap p-value against 0 (meaningful for differences)
     */
    public record Interval(double estimate, double lo, double hi, double pValue) {
    }

    private final int prompts;
    private final int[][] counts;

    /**
     * @param prompts   number of prompts, &gt;= 1
     * @param resamples bootstrap resamples, &gt;= 2
     * @param seed      the seed
     */
    public PairedBootstrap(int prompts, int resamples, long seed) {
        if (prompts < 1) {
            throw new IllegalArgumentException("prompts must be >= 1, got " + prompts);
        }
        if (resamples < 2) {
            throw new IllegalArgumentException("resamples must be >= 2, got " + resamples);
        }
        this.prompts = prompts;
        this.counts = new int[resamples][prompts];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < prompts; i++) {
                counts[b][rng.nextInt(prompts)]++;
            }
        }
    }

    /** The mean of per-prompt values, with its interval. */
    public Interval mean(double[] perPrompt) {
        return interval(perPrompt, null);
    }

    /** The mean of {@code a - b} (per-prompt values of two methods on the same prompts), with interval and p. */
    public Interval difference(double[] a, double[] b) {
        return interval(a, Objects.requireNonNull(b, "b"));
    }

    private Interval interval(double[] a, double[] b) {
        Objects.requireNonNull(a, "a");
        if (a.length != prompts || (b != null && b.length != prompts)) {
            throw new IllegalArgumentException("expected " + prompts + " per-prompt values, got " + a.length
                    + (b == null ? "" : " and " + b.length));
        }
        double[] d = new double[prompts];
        double est = 0;
        for (int i = 0; i < prompts; i++) {
            d[i] = b == null ? a[i] : a[i] - b[i];
            est += d[i];
        }
        est /= prompts;
        double[] boot = new double[counts.length];
        int le = 0;
        int ge = 0;
        for (int r = 0; r < counts.length; r++) {
            double s = 0;
            int[] c = counts[r];
            for (int i = 0; i < prompts; i++) {
                s += c[i] * d[i];
            }
            boot[r] = s / prompts;
            if (boot[r] <= 0) {
                le++;
            }
            if (boot[r] >= 0) {
                ge++;
            }
        }
        Arrays.sort(boot);
        double p = Math.min(1.0, 2.0 * Math.min(le, ge) / counts.length);
        return new Interval(est, quantile(boot, 0.025), quantile(boot, 0.975), p);
    }

    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
