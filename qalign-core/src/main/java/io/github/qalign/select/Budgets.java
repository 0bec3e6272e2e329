package io.github.qalign.select;

import java.util.Arrays;

/** The budgets at which a run of T samples is evaluated: 1, 2, 4, ..., the largest power of two not above T, and T. */
public final class Budgets {

    private Budgets() {
    }

    /**
     * The powers of two up to {@code total}, followed by {@code total} itself when it is not a power of two.
     *
     * @param total the run length T, at least 1
     * @return strictly increasing budgets, first 1, last {@code total}
     * @throws IllegalArgumentException if {@code total < 1}
     */
    public static int[] powersOfTwo(int total) {
        if (total < 1) {
            throw new IllegalArgumentException("total must be >= 1, got " + total);
        }
        int[] out = new int[33];
        int n = 0;
        for (long b = 1; b <= total; b *= 2) {
            out[n++] = (int) b;
        }
        if (out[n - 1] != total) {
            out[n++] = total;
        }
        return Arrays.copyOf(out, n);
    }
}
