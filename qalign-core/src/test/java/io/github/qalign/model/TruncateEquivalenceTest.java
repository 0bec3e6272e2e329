package io.github.qalign.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link SamplingConfig#truncate} (a primitive sort of the values) returns bit for bit what the original rule
 * returned: ids sorted by descending probability with ties to the lower id (a boxed sort), top-k, then the top-p
 * prefix, renormalized. The reference below is that original implementation, kept verbatim as the specification.
 * The distributions have many exact ties (values drawn from a few levels), where the id order matters.
 */
class TruncateEquivalenceTest {

    /** The original implementation (before the primitive sort), as the reference. */
    static double[] reference(double[] probs, Integer topK, Double topP) {
        int v = probs.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int keep = v;
        if (topK != null) {
            keep = Math.min(keep, topK);
        }
        if (topP != null && topP < 1) {
            double mass = 0;
            for (int i = 0; i < keep; i++) {
                mass += probs[order[i]];
            }
            double target = topP * mass;
            double cum = 0;
            int n = 0;
            while (n < keep) {
                cum += probs[order[n]];
                n++;
                if (cum >= target) {
                    break;
                }
            }
            keep = n;
        }
        double[] q = new double[v];
        double s = 0;
        for (int i = 0; i < keep; i++) {
            q[order[i]] = probs[order[i]];
            s += probs[order[i]];
        }
        for (int i = 0; i < keep; i++) {
            q[order[i]] /= s;
        }
        return q;
    }

    private static double[] distribution(long seed, int v, int levels) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            // few levels: many exact ties; levels = 0: continuous, heavy-tailed like softmax outputs
            p[i] = levels == 0 ? Math.exp(6 * rng.nextGaussian()) : 1 + rng.nextInt(levels);
            sum += p[i];
        }
        for (int i = 0; i < v; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Property(tries = 400)
    void sameBitsAsTheBoxedSortRule(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int v,
                                     @ForAll @IntRange(min = 0, max = 4) int levels,
                                     @ForAll @IntRange(min = 0, max = 320) int k,
                                     @ForAll @DoubleRange(min = 0.0, max = 1.0) double p,
                                     @ForAll @IntRange(min = 0, max = 2) int which) {
        double[] probs = distribution(seed, v, levels);
        Integer topK = which == 1 ? null : Math.max(1, k);
        Double topP = which == 0 ? null : p;
        SamplingConfig.Builder b = SamplingConfig.builder();
        if (topK != null) {
            b.topK(topK);
        }
        if (topP != null && topP > 0) {
            b.topP(topP);
        } else if (topP != null) {
            topP = null;
        }
        SamplingConfig c = b.build();
        double[] expected = (topK != null && topK < v) || (topP != null && topP < 1) ? reference(probs, topK, topP)
                : probs;
        assertArrayEquals(expected, c.truncate(probs));
    }

    @Test
    void tiesAtTheCutKeepTheLowestIds() {
        double[] probs = {0.1, 0.3, 0.1, 0.3, 0.1, 0.1};
        // top-k 3: both 0.3s, then the first 0.1 (id 0)
        double[] q = SamplingConfig.builder().topK(3).build().truncate(probs);
        assertArrayEquals(new double[] {0.1 / 0.7, 0.3 / 0.7, 0, 0.3 / 0.7, 0, 0}, q, 1e-15);
        assertArrayEquals(reference(probs, 3, null), q);
        // top-p 0.65: 0.3 + 0.3 = 0.6 < 0.65, so one 0.1 more, the lowest id
        double[] r = SamplingConfig.builder().topP(0.65).build().truncate(probs);
        assertEquals(0, r[2]);
        assertEquals(0.1 / 0.7, r[0], 1e-15);
        assertArrayEquals(reference(probs, null, 0.65), r);
    }
}
