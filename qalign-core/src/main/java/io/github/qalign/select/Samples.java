package io.github.qalign.select;

import io.github.qalign.model.ScoredSample;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by the selectors. */
final class Samples {

    private Samples() {
    }

    static void requireNonEmpty(List<ScoredSample> samples) {
        Objects.requireNonNull(samples, "samples");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("samples must not be empty: there is nothing to select from");
        }
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i) == null) {
                throw new NullPointerException("samples[" + i + "] is null");
            }
        }
    }

    static double[] rewards(List<ScoredSample> samples, int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = samples.get(i).reward();
        }
        return r;
    }
}
