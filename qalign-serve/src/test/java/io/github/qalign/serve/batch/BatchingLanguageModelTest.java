package io.github.qalign.serve.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Batch formation, a faulty job failing alone, and deadlines, on a gated fake model. */
class BatchingLanguageModelTest {

    /** Continues with ids 1, 2, 3, ... ; refuses a prompt holding id 99; blocks at the gate. */
    private static final class Fake implements LanguageModel {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger entered = new AtomicInteger();
        final List<Integer> callSizes = new ArrayList<>();

        @Override
        public synchronized List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
            entered.incrementAndGet();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            callSizes.add(requests.size());
            List<Generation> out = new ArrayList<>();
            for (GenerationRequest r : requests) {
                if (r.prompt().ids().stream().anyMatch(i -> i == 99)) {
                    throw new IllegalArgumentException("prompt holds the forbidden id 99");
                }
                int n = config.maxCompletionTokens() - r.prefix().length();
                int[] ids = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = i + 1;
                }
                TokenIds c = r.prefix().concat(TokenIds.of(ids));
                out.add(new Generation(c, r.prefix().length(), c.toString(), FinishReason.LENGTH, TokenUsage.ZERO));
            }
            return out;
        }

        @Override
        public Prompt prompt(String text) {
            return new Prompt(text, TokenIds.of(1));
        }

        @Override
        public String decode(TokenIds completion) {
            return completion.toString();
        }
    }

    private static GenerationRequest req(int... prompt) {
        return GenerationRequest.fresh(new Prompt("p", TokenIds.of(prompt)), 1);
    }

    @Test
    void queuedJobsMergeIntoOneCallAndAFaultyJobFailsAlone() throws Exception {
        Fake fake = new Fake();
        BatchStats stats = new BatchStats();
        try (BatchingLanguageModel lm = new BatchingLanguageModel(fake, 64, Duration.ofMillis(1), true, stats)) {
            SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(3);
            CompletableFuture<List<Generation>> first = CompletableFuture.supplyAsync(
                    () -> lm.generate(List.of(req(5, 6, 7)), cfg));
            while (fake.entered.get() == 0) {
                Thread.sleep(2);
            }
            // while the model is busy, three jobs queue: two good ones (different caps) and a faulty one
            CompletableFuture<List<Generation>> a = CompletableFuture.supplyAsync(
                    () -> lm.generate(List.of(req(5, 6, 7), req(8, 9, 10)), cfg));
            CompletableFuture<List<Generation>> bad = CompletableFuture.supplyAsync(
                    () -> lm.generate(List.of(req(99, 1)), cfg));
            CompletableFuture<List<Generation>> b = CompletableFuture.supplyAsync(
                    () -> lm.generate(List.of(req(5, 6, 7)), cfg.withMaxCompletionTokens(2)));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lm.queuedJobs() < 3 && System.nanoTime() < end) {
                Thread.sleep(2);
            }
            assertThat(lm.queuedJobs()).isEqualTo(3);
            fake.gate.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).get(0).continuation()).isEqualTo(TokenIds.of(1, 2, 3));
            assertThat(a.get(10, TimeUnit.SECONDS)).hasSize(2);
            assertThat(a.get().get(1).continuation()).isEqualTo(TokenIds.of(1, 2, 3));
            // cap 2 inside a cap-3 batch: one prompt id moved into the prefix, two tokens sampled, prompt restored
            Generation g = b.get(10, TimeUnit.SECONDS).get(0);
            assertThat(g.continuation()).isEqualTo(TokenIds.of(1, 2));
            assertThat(g.prefixLength()).isZero();
            assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("prompt holds the forbidden id 99");
            // the merged call of the three queued jobs (4 rows) failed in the model, then each job ran alone
            assertThat(stats.snapshot().maxRows()).isEqualTo(4);
            assertThat(stats.snapshot().maxJobs()).isEqualTo(3);
        }
    }

    @Test
    void aCallerPastItsDeadlineGivesUpAndItsJobNeverReachesTheModel() throws Exception {
        Fake fake = new Fake();
        try (BatchingLanguageModel lm = new BatchingLanguageModel(fake, 64, Duration.ZERO, true, new BatchStats())) {
            SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(2);
            CompletableFuture<List<Generation>> busy = CompletableFuture.supplyAsync(
                    () -> lm.generate(List.of(req(1)), cfg));
            while (fake.entered.get() == 0) {
                Thread.sleep(2);
            }
            try (Deadline.Scope d = Deadline.enter(TimeUnit.MILLISECONDS.toNanos(100))) {
                assertThatThrownBy(() -> lm.generate(List.of(req(2)), cfg))
                        .isInstanceOf(RequestTimeoutException.class);
            }
            fake.gate.countDown();
            busy.get(10, TimeUnit.SECONDS);
            lm.generate(List.of(req(3)), cfg);
            // the timed-out job was dropped: the model saw the busy call and the last one only
            assertThat(fake.callSizes).containsExactly(1, 1);
        }
    }
}
