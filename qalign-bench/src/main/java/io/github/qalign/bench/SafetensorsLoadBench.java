package io.github.qalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.checkpoint.SafetensorsFile;
import io.github.qalign.djl.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Measures {@link SafetensorsFile#load} on a synthetic file: a zero-copy F32 load, BF16 widened to F32 in Java, and
 * F32/BF16 rounded to F16 by the engine. Usage: {@code SafetensorsLoadBench [millionElements=32] [repeats=5]}. Prints the median
 * time per load and the output bandwidth; absolute numbers depend heavily on the machine (page cache, cores).
 */
public final class SafetensorsLoadBench {

    private SafetensorsLoadBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional element count in millions and repeat count
     * @throws IOException on an I/O error
     */
    public static void main(String[] args) throws IOException {
        int millions = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int cols = 4096;
        int rows = millions * (1 << 20) / cols;
        float[] data = new float[rows * cols];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        DjlRuntime.engine();
        Path dir = Files.createTempDirectory("qalign-st-bench");
        try {
            Path f = dir.resolve("bench.safetensors");
            new SafetensorsWriter().add("f32", data, rows, cols).add("bf16", "BF16", data, rows, cols).write(f);
            data = null;
            System.out.printf("tensor [%d, %d] = %d elements, %d repeats (median)%n", rows, cols, (long) rows * cols,
                    repeats);
            try (SafetensorsFile st = SafetensorsFile.open(f); NDManager m = NDManager.newBaseManager()) {
                report(st, m, "F32  -> FLOAT32 (zero-copy mapping)", "f32", DataType.FLOAT32, repeats);
                report(st, m, "BF16 -> FLOAT32 (widened in Java)", "bf16", DataType.FLOAT32, repeats);
                report(st, m, "BF16 -> FLOAT16 (Java widen, engine round)", "bf16", DataType.FLOAT16, repeats);
                report(st, m, "F32  -> FLOAT16 (rounded by the engine)", "f32", DataType.FLOAT16, repeats);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void report(SafetensorsFile st, NDManager m, String label, String name, DataType target,
                               int repeats) {
        double[] ms = new double[repeats];
        long outBytes = 0;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            try (NDArray x = st.load(name, m, target)) {
                outBytes = x.size() * target.getNumOfBytes();
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        double median = ms[repeats / 2];
        System.out.printf("%-44s %9.1f ms  %6.2f GB/s out%n", label, median, outBytes / (median / 1e3) / 1e9);
    }
}
