package io.github.qalign.diagnostics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * One-off timing of the former O(n^2) ESS ({@link EffectiveSampleSizeReference}) against the FFT one on the
 * drifting trace of {@code EssBenchmark} (not a test; figures in docs/benchmarks-core.md), wall and thread CPU time;
 * a second argument {@code fft-only} skips the reference. Run from the repository:
 * {@code java -cp qalign-core/target/classes:qalign-core/target/test-classes:$HOME/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar io.github.qalign.diagnostics.EssReferenceTiming 1000000}.
 */
final class EssReferenceTiming {

    private EssReferenceTiming() {
    }

    /**
     * Times both implementations once.
     *
     * @param args trace length (default 1e6)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        SplittableRandom r = new SplittableRandom(4);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 1e-5 + r.nextGaussian();
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 3; i++) {
            EffectiveSampleSize.geyer(x); // warm-up
            SplitRhat.rankNormalized(new double[][] {x});
        }
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        double fft = EffectiveSampleSize.geyer(x);
        long t1 = System.nanoTime();
        long c1 = mx.getCurrentThreadCpuTime();
        double rhat = SplitRhat.rankNormalized(new double[][] {x});
        long t2 = System.nanoTime();
        long c2 = mx.getCurrentThreadCpuTime();
        System.out.printf("n=%d FFT ESS %.6f: wall %.3f s, CPU %.3f s; split-R-hat (1 chain) %.4f: wall %.3f s, CPU %.3f s%n",
                n, fft, (t1 - t0) / 1e9, (c1 - c0) / 1e9, rhat, (t2 - t1) / 1e9, (c2 - c1) / 1e9);
        if (args.length > 1 && args[1].equals("fft-only")) {
            return;
        }
        long c3 = mx.getCurrentThreadCpuTime();
        long t3 = System.nanoTime();
        double ref = EffectiveSampleSizeReference.geyer(x);
        long t4 = System.nanoTime();
        long c4 = mx.getCurrentThreadCpuTime();
        System.out.printf("n=%d reference ESS %.6f: wall %.3f s, CPU %.3f s; relative difference %.2e%n", n, ref,
                (t4 - t3) / 1e9, (c4 - c3) / 1e9, Math.abs(fft - ref) / ref);
    }
}
