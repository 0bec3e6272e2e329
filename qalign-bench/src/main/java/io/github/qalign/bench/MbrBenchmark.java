package io.github.qalign.bench;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.MbrSelection;
import io.github.qalign.select.Weighting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MBR selection with ROUGE-1 F1 over token ids: {@code candidates} completions of about {@code meanLength} tokens
 * (uniform in [meanLength - 32, meanLength + 32]) drawn from a Zipf(1.1) distribution over a {@code vocab}-token
 * vocabulary (seeded). All completions are distinct, so the whole candidates x candidates utility matrix is computed
 * (half of it: ROUGE-1 is symmetric). A second state mimics a chain of the same length with many repeated states.
 *
 * <p>Run: {@code java -jar qalign-bench/target/qalign-benchmarks.jar MbrBenchmark -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@State(Scope.Benchmark)
public class MbrBenchmark {

    /** Number of samples. */
    @Param("1024")
    public int candidates;

    /** Mean completion length in tokens. */
    @Param("256")
    public int meanLength;

    /** Vocabulary size. */
    @Param("32000")
    public int vocab;

    private List<ScoredSample> distinct;
    private List<ScoredSample> chain;
    private final Mbr<TokenIds> uniform = Mbr.rouge1(Weighting.uniform());
    private final Mbr<TokenIds> importance = Mbr.rouge1(Weighting.importance(1.0));

    /** Builds the seeded inputs. */
    @Setup
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(20261127L);
        double[] cdf = zipfCdf(vocab, 1.1);
        distinct = new ArrayList<>(candidates);
        HashSet<TokenIds> seen = new HashSet<>();
        for (int i = 0; i < candidates; i++) {
            int len = meanLength - 32 + rnd.nextInt(65);
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                ids[j] = sampleZipf(cdf, rnd);
            }
            TokenIds t = TokenIds.of(ids);
            if (!seen.add(t)) {
                throw new IllegalStateException("duplicate candidate " + i + "; the benchmark needs distinct ones");
            }
            distinct.add(new ScoredSample(t, "", rnd.nextDouble() * 4 - 2, FinishReason.EOS));
        }
        // chain-like: about a third of the steps accepted, otherwise the previous state repeats
        chain = new ArrayList<>(candidates);
        ScoredSample state = distinct.get(0);
        for (int i = 0; i < candidates; i++) {
            if (rnd.nextInt(3) == 0) {
                state = distinct.get(i);
            }
            chain.add(state);
        }
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, s);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    private static int sampleZipf(double[] cdf, SplittableRandom rnd) {
        int i = Arrays.binarySearch(cdf, rnd.nextDouble());
        return Math.min(i < 0 ? -i - 1 : i, cdf.length - 1);
    }

    /**
     * Uniform-weight MBR over all distinct candidates (full utility matrix).
     *
     * @return the selection (consumed by JMH)
     */
    @Benchmark
    public MbrSelection rouge1AllDistinct() {
        return uniform.select(distinct);
    }

    /**
     * Importance-weighted MBR over all distinct candidates.
     *
     * @return the selection
     */
    @Benchmark
    public MbrSelection rouge1AllDistinctImportance() {
        return importance.select(distinct);
    }

    /**
     * The budget sweep 1, 2, 4, ..., 1024 over all distinct candidates (utility matrix shared across budgets).
     *
     * @return the sweep
     */
    @Benchmark
    public List<AtBudget<MbrSelection>> rouge1SweepAllDistinct() {
        return uniform.sweep(distinct);
    }

    /**
     * Uniform-weight MBR over a chain-like list with repeated states.
     *
     * @return the selection
     */
    @Benchmark
    public MbrSelection rouge1ChainWithRepeats() {
        return uniform.select(chain);
    }
}
