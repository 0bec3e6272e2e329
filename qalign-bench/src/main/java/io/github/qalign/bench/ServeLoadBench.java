package io.github.qalign.bench;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.serve.QalignServer;
import io.github.qalign.serve.ServerConfig;
import io.github.qalign.serve.batch.BatchStats;
import io.github.qalign.serve.djl.DjlServing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load benchmark of {@code qalign serve}'s {@code /v1/completions} on the embedded stories260K policy: closed-loop
 * clients (each sends its next request when the previous one is answered) at 1, 8 and 32 concurrent clients, with
 * the batching request queue on and off; prints requests/s, generated tokens/s, latency p50/p95/p99 and the mean
 * batch size the runtime saw. Every request: a text prompt, {@code max_tokens} tokens, temperature 1, its own seed.
 *
 * <p>Usage: {@code java -Dai.djl.pytorch.num_threads=1 -cp qalign-benchmarks.jar io.github.qalign.bench.ServeLoadBench
 * [seconds-per-point=10] [max_tokens=32]}
 */
public final class ServeLoadBench {

    private static final String[] PROMPTS = {"Once upon a time", "The little dog", "Lily and Tom went to the park",
        "One day, a cat"};

    private ServeLoadBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: seconds per point, max_tokens
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int maxTokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        LlamaOptions opts = LlamaOptions.builder().maxBatchSize(64).contextLength(256).build();
        System.out.printf("ServeLoadBench: /v1/completions, stories260K, max_tokens=%d, %.0f s per point, "
                + "pytorch threads=%s, cores=%d%n", maxTokens, seconds,
                System.getProperty("ai.djl.pytorch.num_threads", "default"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| batching | clients | requests | req/s | gen tok/s | p50 ms | p95 ms | p99 ms | "
                + "mean batch rows | max batch rows |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts);
             LlamaRewardModel rm = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), opts, true)) {
            DjlServing serving = DjlServing.sharingTokenizer("stories260k", lm, "rm", rm, 256);
            // both servers up front and the points interleaved (on, off at each concurrency), so JIT warm-up and
            // the shared machine's load drift do not favour one mode
            try (QalignServer on = QalignServer.start(serving.policy(), serving.reward(), config(true));
                 QalignServer off = QalignServer.start(serving.policy(), serving.reward(), config(false))) {
                run(on, 8, 3, maxTokens, null, 0);
                run(off, 8, 3, maxTokens, null, 0);
                for (int clients : new int[] {1, 8, 32}) {
                    run(on, clients, seconds, maxTokens, "on", clients * 1_000_000L);
                    run(off, clients, seconds, maxTokens, "off", clients * 1_000_000L);
                }
            }
        }
    }

    private static ServerConfig config(boolean batching) {
        return ServerConfig.builder().port(0).concurrency(64, 64).batching(64, Duration.ZERO, batching)
                .build();
    }

    private static void run(QalignServer server, int clients, double seconds, int maxTokens, String label,
                            long seedBase) throws Exception {
        ExecutorService httpPool = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().executor(httpPool).build();
        URI uri = server.baseUri().resolve("/v1/completions");
        BatchStats.Snapshot before = server.policyBatches();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong tokens = new AtomicLong();
        AtomicLong seeds = new AtomicLong(seedBase);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            fs.add(pool.submit(() -> {
                int i = 0;
                while (System.nanoTime() < end) {
                    String body = "{\"prompt\":\"" + PROMPTS[(client + i++) % PROMPTS.length] + "\",\"max_tokens\":"
                            + maxTokens + ",\"seed\":" + seeds.incrementAndGet() + "}";
                    long s = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                    }
                    latencies.add(System.nanoTime() - s);
                    int at = r.body().indexOf("\"completion_tokens\":");
                    tokens.addAndGet(Long.parseLong(r.body().substring(at + 20).split("[,}]")[0]));
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            // non-daemon pools: shut them down or the JVM outlives main
            pool.shutdownNow();
            httpPool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (label == null) {
            return;
        }
        BatchStats.Snapshot after = server.policyBatches();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long batches = after.batches() - before.batches();
        long rows = after.rows() - before.rows();
        System.out.printf("| %s | %d | %d | %.1f | %.0f | %.0f | %.0f | %.0f | %.2f | %d |%n", label, clients,
                sorted.size(), sorted.size() / elapsed, tokens.get() / elapsed, pct(sorted, 0.50), pct(sorted, 0.95),
                pct(sorted, 0.99), batches == 0 ? 0.0 : (double) rows / batches, maxNew(before, after));
    }

    /** The largest batch size whose count grew between the snapshots. */
    private static int maxNew(BatchStats.Snapshot before, BatchStats.Snapshot after) {
        int max = 0;
        for (var e : after.rowHistogram().entrySet()) {
            if (e.getValue() > before.rowHistogram().getOrDefault(e.getKey(), 0L)) {
                max = Math.max(max, e.getKey());
            }
        }
        return max;
    }

    private static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }
}
