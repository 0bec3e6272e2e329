package io.github.qalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.checkpoint.LlamaConfigJson;
import io.github.qalign.djl.llama.LlamaModel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Loading a large sharded BF16 checkpoint: load time and peak RSS against the size of the weights, in one run for two
 * builds, each in its own child JVM with the same settings ({@code -Xmx6g}): "before" puts the classes of an older
 * build (a jar given as the third argument, e.g. the benchmark jar built from the commit before the change) first on
 * the class path, "after" uses this build.
 *
 * <p>The checkpoint (Llama-3.2-1B shape: V=128,256, D=2048, I=8192, 16 layers, 32/8 heads, tied embeddings,
 * 1.24B parameters, 2.47 GB of BF16 in 3 shards) is generated once into {@code dir} (random values, not a real model)
 * and reused.
 *
 * <p>Usage: {@code java -cp qalign-bench/target/qalign-benchmarks.jar io.github.qalign.bench.CheckpointLoadBench
 * [dir=/tmp/qalign-bf16-1b] [dtype=FLOAT16] [before.jar]}
 */
public final class CheckpointLoadBench {

    private CheckpointLoadBench() {
    }

    /**
     * Generates the checkpoint if missing, then measures both paths in child JVMs.
     *
     * @param args optional: checkpoint directory, target dtype (FLOAT16 or FLOAT32); {@code --child} runs one load
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Path.of(args[1]), DataType.valueOf(args[2]));
            return;
        }
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/qalign-bf16-1b");
        String dtype = args.length > 1 ? args[1] : "FLOAT16";
        String beforeCp = args.length > 2 ? args[2] : null;
        LlamaConfig c = SyntheticLlama.config(SyntheticLlama.LLAMA3_VOCAB, 2048, 8192, 16, 32, 8, 4096, true);
        if (!Files.exists(dir.resolve(HfCheckpoint.WEIGHTS_INDEX))) {
            long t0 = System.nanoTime();
            write(dir, c, 3);
            System.out.printf("generated %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
        }
        long bytes = 0;
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                bytes += Files.size(p);
            }
        }
        long params = 0;
        for (long[] s : HfCheckpoint.expectedShapes(c).values()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            params += n;
        }
        long target = params * (dtype.equals("FLOAT16") ? 2 : 4);
        System.out.printf("checkpoint: %,d parameters, %,d bytes of BF16 safetensors; target %s = %,d bytes%n%n",
                params, bytes, dtype, target);
        System.out.println("| path | load s | peak RSS MB | RSS after load MB (anon + file) | peak RSS / target weights |");
        System.out.println("|---|---|---|---|---|");
        for (boolean before : new boolean[] {true, false}) {
            if (before && beforeCp == null) {
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx6g", "-Dai.djl.pytorch.num_threads=1", "-cp",
                    (before ? beforeCp + java.io.File.pathSeparator : "") + System.getProperty("java.class.path"),
                    CheckpointLoadBench.class.getName(), "--child", dir.toString(), dtype));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            String line = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
            if (rc != 0 || line == null) {
                System.out.println("child failed (rc " + rc + "):\n" + out);
                continue;
            }
            String[] f = line.split(" ");
            double secs = Double.parseDouble(f[1]);
            long peak = Long.parseLong(f[2]);
            long after = Long.parseLong(f[3]);
            System.out.printf("| %s | %.1f | %d | %d (%d + %d) | %.2f |%n", before ? "before (" + beforeCp + ")"
                    : "after (this build)", secs, peak >> 20, after >> 20, Long.parseLong(f[4]) >> 20,
                    Long.parseLong(f[5]) >> 20, (double) peak / target);
        }
    }

    /** One load in this JVM: prints "RESULT seconds peakRssBytes rssAfterBytes". */
    private static void child(Path dir, DataType dtype) throws IOException {
        DjlRuntime.engine().newBaseManager().close();
        long t0 = System.nanoTime();
        LlamaModel model;
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir); NDManager tmp = DjlRuntime.engine().newBaseManager()) {
            Map<String, NDArray> w = ckpt.loadAll(tmp, dtype);
            model = LlamaModel.create(ckpt.config(), w, null, dtype);
            model.releaseTrainingWeights();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] rss = rss();
        System.out.println("RESULT " + secs + " " + rss[0] + " " + rss[1] + " " + rss[2] + " " + rss[3]);
        model.close();
    }

    /** VmHWM, VmRSS, RssAnon and RssFile of this process in bytes. */
    static long[] rss() throws IOException {
        long[] out = new long[4];
        String[] keys = {"VmHWM:", "VmRSS:", "RssAnon:", "RssFile:"};
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (int k = 0; k < keys.length; k++) {
                if (l.startsWith(keys[k])) {
                    out[k] = Long.parseLong(l.replaceAll("\\D", "")) * 1024;
                }
            }
        }
        return out;
    }

    /** Writes config.json, the shards (random BF16, streamed tensor by tensor) and the index. */
    static void write(Path dir, LlamaConfig c, int shards) throws IOException {
        Files.createDirectories(dir);
        LlamaConfigJson.write(c, dir.resolve(HfCheckpoint.CONFIG));
        Map<String, long[]> shapes = HfCheckpoint.expectedShapes(c);
        List<List<String>> byShard = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            byShard.add(new ArrayList<>());
        }
        int i = 0;
        for (String name : shapes.keySet()) {
            byShard.get(i++ * shards / shapes.size()).add(name);
        }
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        SplittableRandom g = new SplittableRandom(1);
        boolean first = true;
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, long[]> offsets = new LinkedHashMap<>();
            StringBuilder header = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\"}");
            long off = 0;
            for (String name : byShard.get(s)) {
                long n = count(shapes.get(name));
                header.append(", \"").append(name).append("\": {\"dtype\": \"BF16\", \"shape\": ")
                        .append(java.util.Arrays.toString(shapes.get(name)).replace(" ", "")).append(", \"data_offsets\": [")
                        .append(off).append(", ").append(off + 2 * n).append("]}");
                offsets.put(name, new long[] {off, 2 * n});
                off += 2 * n;
                index.append(first ? "" : ", ").append('"').append(name).append("\": \"").append(file).append('"');
                first = false;
            }
            header.append('}');
            while ((header.length() + 8) % 8 != 0) {
                header.append(' ');
            }
            byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(dir.resolve(file), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
                len.flip();
                ch.write(len);
                ch.write(ByteBuffer.wrap(h));
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
                for (String name : byShard.get(s)) {
                    long[] shape = shapes.get(name);
                    long n = count(shape);
                    double scale = shape.length == 1 ? 0 : 1 / Math.sqrt(shape[1]);
                    for (long k = 0; k < n; k++) {
                        float v = shape.length == 1 ? 1f : (float) ((g.nextDouble() * 2 - 1) * 1.7 * scale);
                        buf.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                        if (!buf.hasRemaining()) {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                ch.write(buf);
                            }
                            buf.clear();
                        }
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
        index.append("}}");
        Files.writeString(dir.resolve(HfCheckpoint.WEIGHTS_INDEX), index, StandardCharsets.UTF_8);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
