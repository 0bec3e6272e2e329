package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.serve.batch.BatchStats;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sixteen concurrent clients are all answered, their requests are merged into batched forward passes (batch sizes
 * above 1 are seen by the runtime), and every answer is the one the request gets alone: same seed, same tokens,
 * whatever the batching (requests with different max_tokens share batches through the prefix shift).
 */
class BatchingTest {

    private static final int CLIENTS = 16;
    private static StoriesModels models;
    private static final String[] PROMPTS = {"Once upon a time", "The dog", "Lily liked to play with her red ball",
        "Tom"};

    @BeforeAll
    static void load() {
        models = new StoriesModels();
    }

    @AfterAll
    static void close() {
        models.close();
    }

    private static int[] promptIds(int client) {
        return models.lm.prompt(PROMPTS[client % PROMPTS.length]).ids().toArray();
    }

    private static int maxTokens(int client) {
        return 6 + (client % 3) * 5;
    }

    private static List<int[]> runClients(URI base) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            List<CompletableFuture<int[]>> futures = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                futures.add(CompletableFuture.supplyAsync(() -> {
                    String body = "{\"prompt\":" + Arrays.toString(promptIds(client)) + ",\"max_tokens\":"
                            + maxTokens(client) + ",\"seed\":" + (1000 + client) + ",\"return_token_ids\":true}";
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    Http.Res r = Http.post(base, "/v1/completions", body);
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    JsonNode ids = r.json().get("choices").get(0).get("token_ids");
                    int[] out = new int[ids.size()];
                    for (int k = 0; k < out.length; k++) {
                        out[k] = ids.get(k).intValue();
                    }
                    return out;
                }, pool));
            }
            List<int[]> out = new ArrayList<>();
            for (CompletableFuture<int[]> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] alone(int client) {
        Generation g = models.lm.generate(List.of(GenerationRequest.fresh(new Prompt("p",
                TokenIds.of(promptIds(client))), 1000 + client)),
                SamplingConfig.defaults().withMaxCompletionTokens(maxTokens(client))).get(0);
        return g.continuation().toArray();
    }

    @Test
    void sixteenConcurrentClientsAreAnsweredFromBatchedForwardPassesWithTheirOwnSeedsTokens() throws Exception {
        List<int[]> batched;
        BatchStats.Snapshot stats;
        try (QalignServer s = QalignServer.start(models.serving.policy(), models.serving.reward(),
                ServerConfig.builder().port(0).batching(64, Duration.ofMillis(20), true).build())) {
            batched = runClients(s.baseUri());
            stats = s.policyBatches();
            JsonNode metrics = Http.get(s.baseUri(), "/v1/qalign/metrics").json().get("policy_batches");
            assertThat(metrics.get("max_rows").asInt()).isEqualTo(stats.maxRows());
        }
        assertThat(stats.rows()).isEqualTo(CLIENTS);
        assertThat(stats.maxRows()).as("largest batch the runtime saw").isGreaterThan(1);
        assertThat(stats.batches()).as("batched calls").isLessThan(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(batched.get(i)).as("client %d", i).containsExactly(alone(i));
            assertThat(batched.get(i).length).isLessThanOrEqualTo(maxTokens(i));
        }

        List<int[]> unbatched;
        BatchStats.Snapshot one;
        try (QalignServer s = QalignServer.start(models.serving.policy(), models.serving.reward(),
                ServerConfig.builder().port(0).batching(64, Duration.ZERO, false).build())) {
            unbatched = runClients(s.baseUri());
            one = s.policyBatches();
        }
        assertThat(one.maxRows()).isEqualTo(1);
        assertThat(one.batches()).isEqualTo(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(unbatched.get(i)).as("client %d", i).containsExactly(batched.get(i));
        }
    }
}
