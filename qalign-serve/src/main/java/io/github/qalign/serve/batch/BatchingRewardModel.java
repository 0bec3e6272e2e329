package io.github.qalign.serve.batch;

import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link RewardModel} that merges concurrent {@code score} calls into batched calls of the model behind it (see
 * the package description). Scoring is deterministic, so batching never changes a score beyond float rounding.
 *
 * <p>Thread-safe; one worker thread calls the delegate. Close to stop it (the delegate is not closed).
 */
public final class BatchingRewardModel implements RewardModel, AutoCloseable {

    private static final Object KEY = new Object();

    private final RewardModel delegate;
    private final BatchQueue<RewardRequest, Reward> queue;

    /**
     * Starts the batching queue.
     *
     * @param delegate the model that runs the batches
     * @param maxRows  rows per batch
     * @param maxWait  how long a batch waits for more requests after its first one
     * @param batching false to run every call alone
     * @param stats    where the batch sizes are recorded
     */
    public BatchingRewardModel(RewardModel delegate, int maxRows, Duration maxWait, boolean batching,
                               BatchStats stats) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.queue = new BatchQueue<>("qalign-serve-rm-batcher", maxRows, maxWait, batching, stats) {
            @Override
            void runGroup(List<Job<RewardRequest, Reward>> group) {
                List<RewardRequest> rows = new ArrayList<>();
                for (Job<RewardRequest, Reward> j : group) {
                    rows.addAll(j.rows);
                }
                record(rows.size(), group.size());
                List<Reward> out = delegate.score(rows);
                if (out == null || out.size() != rows.size()) {
                    throw new IllegalStateException("the reward model returned " + (out == null ? "null"
                            : out.size()) + " rewards for " + rows.size() + " requests");
                }
                int at = 0;
                for (Job<RewardRequest, Reward> j : group) {
                    j.result.complete(List.copyOf(out.subList(at, at + j.rows.size())));
                    at += j.rows.size();
                }
            }
        };
    }

    /**
     * The batch counters.
     *
     * @return the batch counters
     */
    public BatchStats stats() {
        return queue.stats();
    }

    @Override
    public List<Reward> score(List<RewardRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        return queue.submit(requests, KEY, null);
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
}
