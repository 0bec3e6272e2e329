package io.github.qalign.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Measures the thread CPU time (not wall time) of {@link MbrBenchmark#rouge1AllDistinct()}, a figure that is less
 * sensitive than JMH's wall-clock average to other processes competing for the cores of a shared machine.
 *
 * <p>Run: {@code java -cp qalign-bench/target/qalign-benchmarks.jar io.github.qalign.bench.MbrCpuTime [reps]}.
 */
public final class MbrCpuTime {

    private MbrCpuTime() {
    }

    /**
     * Runs 5 warm-up selections and {@code reps} (default 10) measured ones, printing CPU and wall ms per selection.
     *
     * @param args optional repetition count
     */
    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        if (reps < 1) {
            throw new IllegalArgumentException("reps must be >= 1, got " + reps);
        }
        MbrBenchmark b = new MbrBenchmark();
        b.candidates = 1024;
        b.meanLength = 256;
        b.vocab = 32000;
        b.setUp();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int w = 0; w < 5; w++) {
            b.rouge1AllDistinct();
        }
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            b.rouge1AllDistinct();
        }
        long cpu1 = mx.getCurrentThreadCpuTime();
        long wall1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "MBR ROUGE-1, 1024 distinct x ~256 tokens: CPU %.1f ms/op, wall %.1f ms/op (%d reps)%n",
                (cpu1 - cpu0) / 1e6 / reps, (wall1 - wall0) / 1e6 / reps, reps);
    }
}
