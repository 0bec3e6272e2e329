package io.github.qalign.serve.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A queue of jobs served by one worker thread that runs them in batches (see the package description for how a
 * batch forms). Callers block in {@link #submit} until their job ran, their {@link Deadline} passed or they were
 * interrupted; a job whose caller gave up is dropped before it reaches the model.
 *
 * @param <Q> a row of a job (one sequence)
 * @param <R> the result of a row
 */
abstract class BatchQueue<Q, R> implements AutoCloseable {

    /** One caller's call: its rows, the key of what may share a batch with it, and its result. */
    static final class Job<Q, R> {
        final List<Q> rows;
        final Object key;
        final Object arg;
        final CompletableFuture<List<R>> result = new CompletableFuture<>();

        Job(List<Q> rows, Object key, Object arg) {
            this.rows = rows;
            this.key = key;
            this.arg = arg;
        }
    }

    private final BlockingQueue<Job<Q, R>> queue = new LinkedBlockingQueue<>();
    private final int maxRows;
    private final long maxWaitNanos;
    private final boolean batching;
    private final BatchStats stats;
    private final Thread worker;
    private volatile boolean closed;

    /**
     * Starts the worker thread.
     *
     * @param name     thread name
     * @param maxRows  rows per batch, &gt; 0 (a single larger job still runs whole)
     * @param maxWait  how long a batch waits for more jobs after its first one
     * @param batching false to run every job alone (for comparisons)
     * @param stats    where batch sizes are recorded
     */
    BatchQueue(String name, int maxRows, Duration maxWait, boolean batching, BatchStats stats) {
        if (maxRows <= 0) {
            throw new IllegalArgumentException("maxRows must be > 0, got " + maxRows);
        }
        this.maxRows = maxRows;
        this.maxWaitNanos = Objects.requireNonNull(maxWait, "maxWait").toNanos();
        this.batching = batching;
        this.stats = Objects.requireNonNull(stats, "stats");
        this.worker = new Thread(this::loop, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * The batch counters.
     *
     * @return the batch counters
     */
    BatchStats stats() {
        return stats;
    }

    /**
     * Jobs waiting for the worker now.
     *
     * @return the queue depth
     */
    int queued() {
        return queue.size();
    }

    /**
     * Enqueues rows and waits for their results.
     *
     * @param rows the rows, not empty
     * @param key  jobs with equal keys may share a model call
     * @param arg  per-job data for {@link #runGroup}
     * @return one result per row, in order
     */
    List<R> submit(List<Q> rows, Object key, Object arg) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("requests is empty");
        }
        if (closed) {
            throw new IllegalStateException("the model queue is closed (server shutting down)");
        }
        Deadline.check("queueing");
        Job<Q, R> job = new Job<>(List.copyOf(rows), key, arg);
        queue.add(job);
        try {
            OptionalLong left = Deadline.remainingNanos();
            return left.isPresent() ? job.result.get(Math.max(0, left.getAsLong()), TimeUnit.NANOSECONDS)
                    : job.result.get();
        } catch (TimeoutException e) {
            job.result.cancel(false);
            throw new RequestTimeoutException("request timed out waiting for the model (" + rows.size()
                    + " rows)");
        } catch (InterruptedException e) {
            job.result.cancel(false);
            Thread.currentThread().interrupt();
            throw new RequestTimeoutException("interrupted while waiting for the model");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    private void loop() {
        while (!closed || !queue.isEmpty()) {
            Job<Q, R> first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (first == null) {
                continue;
            }
            List<Job<Q, R>> batch = new ArrayList<>();
            batch.add(first);
            int rows = first.rows.size();
            if (batching) {
                long deadline = System.nanoTime() + maxWaitNanos;
                while (rows < maxRows) {
                    Job<Q, R> next = queue.poll();
                    if (next == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        try {
                            next = queue.poll(left, TimeUnit.NANOSECONDS);
                        } catch (InterruptedException e) {
                            break;
                        }
                        if (next == null) {
                            break;
                        }
                    }
                    batch.add(next);
                    rows += next.rows.size();
                }
            }
            batch.removeIf(j -> j.result.isDone());
            if (batch.isEmpty()) {
                continue;
            }
            try {
                runBatch(batch);
            } catch (RuntimeException | Error e) {
                for (Job<Q, R> j : batch) {
                    j.result.completeExceptionally(e);
                }
            }
        }
    }

    /**
     * Runs a batch: merges jobs with equal keys into model calls (recording each with {@link #record}); when a merged
     * call fails, reruns its jobs one by one so that only the faulty job fails. Completes every job.
     *
     * @param batch the jobs, in arrival order
     */
    private void runBatch(List<Job<Q, R>> batch) {
        java.util.LinkedHashMap<Object, List<Job<Q, R>>> groups = new java.util.LinkedHashMap<>();
        for (Job<Q, R> j : batch) {
            groups.computeIfAbsent(j.key, k -> new ArrayList<>()).add(j);
        }
        for (List<Job<Q, R>> group : groups.values()) {
            try {
                runGroup(group);
            } catch (RuntimeException e) {
                if (group.size() == 1) {
                    group.get(0).result.completeExceptionally(e);
                    continue;
                }
                for (Job<Q, R> j : group) {
                    try {
                        runGroup(List.of(j));
                    } catch (RuntimeException e2) {
                        j.result.completeExceptionally(e2);
                    }
                }
            }
        }
    }

    /**
     * Runs jobs with equal keys as few model calls as possible and completes them.
     *
     * @param group the jobs
     */
    abstract void runGroup(List<Job<Q, R>> group);

    /**
     * Records a model call of {@code rows} rows merged from {@code jobs} jobs.
     *
     * @param rows rows of the call
     * @param jobs jobs merged into it
     */
    final void record(int rows, int jobs) {
        stats.record(rows, jobs);
    }

    /** Stops taking jobs, finishes the queued ones and stops the worker (waits up to 30 s). */
    @Override
    public void close() {
        closed = true;
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
