package io.github.qalign.serve.batch;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters of the batches one model saw: how many, and a histogram of their sizes in rows (one row = one sequence
 * the model continues or scores) and in jobs (one job = one caller's call). Thread-safe.
 */
public final class BatchStats {

    private final TreeMap<Integer, Long> rowHistogram = new TreeMap<>();
    private long batches;
    private long rows;
    private long jobs;
    private int maxRows;
    private int maxJobs;

    /**
     * Records one batch.
     *
     * @param batchRows rows in the batch
     * @param batchJobs jobs merged into it
     */
    public synchronized void record(int batchRows, int batchJobs) {
        batches++;
        rows += batchRows;
        jobs += batchJobs;
        maxRows = Math.max(maxRows, batchRows);
        maxJobs = Math.max(maxJobs, batchJobs);
        rowHistogram.merge(batchRows, 1L, Long::sum);
    }

    /**
     * A consistent copy of the counters.
     *
     * @return the counters now
     */
    public synchronized Snapshot snapshot() {
        return new Snapshot(batches, rows, jobs, maxRows, maxJobs, Collections.unmodifiableMap(new TreeMap<>(
                rowHistogram)));
    }

    /**
     * The counters at one moment.
     *
     * @param batches      batches run
     * @param rows         rows over all batches
     * @param jobs         jobs over all batches
     * @param maxRows      the largest batch, in rows
     * @param maxJobs      the largest batch, in jobs
     * @param rowHistogram batch size in rows &rarr; number of batches of that size
     */
    public record Snapshot(long batches, long rows, long jobs, int maxRows, int maxJobs,
                           Map<Integer, Long> rowHistogram) {
    }
}
