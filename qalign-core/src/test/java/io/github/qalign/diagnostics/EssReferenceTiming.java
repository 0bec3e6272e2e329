package io.github.qalign.diagnostics;

import java.util.SplittableRandom;

/**
 * One-off timing of the former O(n^2) ESS ({@link EffectiveSampleSizeReference}) against the FFT one on the
 * drifting trace of {@code EssBenchmark} (not a test; figures in docs/benchmarks-core.md). Run from the repository:
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
        EffectiveSampleSize.geyer(x); // warm-up
        long t0 = System.nanoTime();
        double fft = EffectiveSampleSize.geyer(x);
        long t1 = System.nanoTime();
        double ref = EffectiveSampleSizeReference.geyer(x);
        long t2 = System.nanoTime();
        System.out.printf("n=%d fft: ESS %.6f in %.3f s; reference: ESS %.6f in %.3f s; relative difference %.2e%n", n,
                fft, (t1 - t0) / 1e9, ref, (t2 - t1) / 1e9, Math.abs(fft - ref) / ref);
    }
}
