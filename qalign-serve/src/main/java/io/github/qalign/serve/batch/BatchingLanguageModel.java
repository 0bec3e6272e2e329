package io.github.qalign.serve.batch;

import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link LanguageModel} that merges concurrent {@code generate} calls into batched calls of the model behind it.
 *
 * <p>Calls whose sampling configurations differ only in the completion cap share a batch. The batch runs with the
 * largest cap {@code C}; a request with cap {@code c < C} and prefix {@code k} is passed as prompt
 * {@code p[0 : |p| - (C - c)]} and prefix {@code p[|p| - (C - c) :] ++ k}: the model continues the same token
 * sequence, may sample exactly {@code c - |k|} more tokens, and draws them from the request's own seed, so its
 * output is the same as in a call of its own (a call with a prompt too short for the shift runs in a batch of its
 * own cap). Each request's tokens depend only on its seed, never on which requests shared the batch.
 *
 * <p>Thread-safe; one worker thread calls the delegate. Close to stop it (the delegate is not closed).
 */
public final class BatchingLanguageModel implements LanguageModel, AutoCloseable {

    private final LanguageModel delegate;
    private final Queue queue;

    /**
     * Starts the batching queue.
     *
     * @param delegate the model that runs the batches
     * @param maxRows  rows per batch (the runtime's batch size is a good choice)
     * @param maxWait  how long a batch waits for more requests after its first one
     * @param batching false to run every call alone (for comparisons)
     * @param stats    where the batch sizes are recorded
     */
    public BatchingLanguageModel(LanguageModel delegate, int maxRows, Duration maxWait, boolean batching,
                                 BatchStats stats) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.queue = new Queue(maxRows, maxWait, batching, stats);
    }

    /**
     * The batch counters.
     *
     * @return the batch counters
     */
    public BatchStats stats() {
        return queue.stats();
    }

    /** Jobs waiting for the worker now (tests). */
    int queuedJobs() {
        return queue.queued();
    }

    /**
     * The model behind the queue.
     *
     * @return the model behind the queue
     */
    public LanguageModel delegate() {
        return delegate;
    }

    @Override
    public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(config, "config");
        for (int i = 0; i < requests.size(); i++) {
            GenerationRequest r = Objects.requireNonNull(requests.get(i), "request " + i);
            if (r.prefix().length() > config.maxCompletionTokens()) {
                throw new IllegalArgumentException("request " + i + ": prefix of " + r.prefix().length()
                        + " tokens exceeds maxCompletionTokens " + config.maxCompletionTokens());
            }
        }
        return queue.submit(requests, config.withMaxCompletionTokens(1), config);
    }

    @Override
    public Prompt prompt(String text) {
        return delegate.prompt(text);
    }

    @Override
    public Prompt prompt(List<ChatMessage> messages) {
        return delegate.prompt(messages);
    }

    @Override
    public String decode(TokenIds completion) {
        return delegate.decode(completion);
    }

    @Override
    public long parameterCount() {
        return delegate.parameterCount();
    }

    /** Stops the worker after the queued calls ran. */
    @Override
    public void close() {
        queue.close();
    }

    private final class Queue extends BatchQueue<GenerationRequest, Generation> {

        Queue(int maxRows, Duration maxWait, boolean batching, BatchStats stats) {
            super("qalign-serve-lm-batcher", maxRows, maxWait, batching, stats);
        }

        @Override
        void runGroup(List<Job<GenerationRequest, Generation>> group) {
            int cap = 0;
            for (Job<GenerationRequest, Generation> j : group) {
                cap = Math.max(cap, ((SamplingConfig) j.arg).maxCompletionTokens());
            }
            List<Job<GenerationRequest, Generation>> merged = new ArrayList<>();
            List<Job<GenerationRequest, Generation>> alone = new ArrayList<>();
            for (Job<GenerationRequest, Generation> j : group) {
                int shift = cap - ((SamplingConfig) j.arg).maxCompletionTokens();
                boolean fits = j.rows.stream().allMatch(r -> r.prompt().ids().length() > shift);
                (fits ? merged : alone).add(j);
            }
            if (!merged.isEmpty()) {
                run(merged, ((SamplingConfig) merged.get(0).arg).withMaxCompletionTokens(cap));
            }
            for (Job<GenerationRequest, Generation> j : alone) {
                run(List.of(j), (SamplingConfig) j.arg);
            }
        }

        private void run(List<Job<GenerationRequest, Generation>> jobs, SamplingConfig config) {
            int cap = config.maxCompletionTokens();
            List<GenerationRequest> rows = new ArrayList<>();
            List<Integer> shifts = new ArrayList<>();
            for (Job<GenerationRequest, Generation> j : jobs) {
                int shift = cap - ((SamplingConfig) j.arg).maxCompletionTokens();
                for (GenerationRequest r : j.rows) {
                    rows.add(shifted(r, shift));
                    shifts.add(shift);
                }
            }
            record(rows.size(), jobs.size());
            List<Generation> out = delegate.generate(rows, config);
            if (out == null || out.size() != rows.size()) {
                throw new IllegalStateException("the model returned " + (out == null ? "null" : out.size())
                        + " generations for " + rows.size() + " requests");
            }
            int at = 0;
            for (Job<GenerationRequest, Generation> j : jobs) {
                List<Generation> res = new ArrayList<>(j.rows.size());
                for (GenerationRequest r : j.rows) {
                    res.add(unshifted(r, out.get(at), shifts.get(at)));
                    at++;
                }
                j.result.complete(List.copyOf(res));
            }
        }

        private GenerationRequest shifted(GenerationRequest r, int shift) {
            if (shift == 0) {
                return r;
            }
            TokenIds ids = r.prompt().ids();
            int keep = ids.length() - shift;
            Prompt p = new Prompt(r.prompt().text(), ids.prefix(keep), r.prompt().messages());
            return new GenerationRequest(p, ids.slice(keep, ids.length()).concat(r.prefix()), r.seed());
        }

        private Generation unshifted(GenerationRequest r, Generation g, int shift) {
            if (shift == 0) {
                return g;
            }
            TokenIds completion = r.prefix().concat(g.continuation());
            return new Generation(completion, r.prefix().length(), delegate.decode(completion), g.finishReason(),
                    g.usage());
        }
    }
}
