package io.github.qalign.bench;

import io.github.qalign.diagnostics.EffectiveSampleSize;
import io.github.qalign.diagnostics.SplitRhat;
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
 * Geyer ESS ({@link EffectiveSampleSize#geyer}) and rank-normalized split-R-hat ({@link SplitRhat#rankNormalized}) on
 * traces of {@code length} steps (seeded): {@code drift} = a linear trend plus N(0, 1) noise (every autocorrelation
 * positive: the former lag-by-lag ESS took 57 s here at 1e6 steps), {@code ar1} = stationary AR(1) with phi 0.9,
 * {@code iid} = N(0, 1). R-hat runs on the same trace cut into 4 chains.
 *
 * <p>Run: {@code java -jar qalign-bench/target/qalign-benchmarks.jar EssBenchmark -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@State(Scope.Benchmark)
public class EssBenchmark {

    /** Trace length. */
    @Param("1000000")
    public int length;

    /** Trace kind: drift, ar1 or iid. */
    @Param({"drift", "ar1", "iid"})
    public String kind;

    private double[] trace;
    private double[][] chains;

    /** Builds the trace. */
    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(4);
        trace = new double[length];
        double prev = 0;
        for (int i = 0; i < length; i++) {
            double e = r.nextGaussian();
            trace[i] = switch (kind) {
                case "drift" -> i * 1e-5 + e;
                case "ar1" -> prev = 0.9 * prev + Math.sqrt(1 - 0.81) * e;
                case "iid" -> e;
                default -> throw new IllegalArgumentException("kind must be drift, ar1 or iid, got " + kind);
            };
        }
        int n = length / 4;
        chains = new double[4][n];
        for (int c = 0; c < 4; c++) {
            System.arraycopy(trace, c * n, chains[c], 0, n);
        }
    }

    /**
     * ESS of the whole trace.
     *
     * @return the ESS
     */
    @Benchmark
    public double ess() {
        return EffectiveSampleSize.geyer(trace);
    }

    /**
     * Rank-normalized split-R-hat of the trace cut into 4 chains.
     *
     * @return R-hat
     */
    @Benchmark
    public double rhat() {
        return SplitRhat.rankNormalized(chains);
    }
}
