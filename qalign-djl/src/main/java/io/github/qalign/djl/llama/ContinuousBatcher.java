package io.github.qalign.djl.llama;

import io.github.qalign.model.AsyncLanguageModel;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.random.RandomGenerator;

/**
 * Continuous batching over a {@link LlamaLanguageModel}: an {@link AsyncLanguageModel} whose one scheduler thread
 * keeps the decode batch full. A row that stops (eos or the completion cap) is refilled at once by the next pending
 * request: in the very next forward pass the new request's uncached prompt+prefix tail is prefilled in its own KV
 * slot while the other rows feed their one decode token (one ragged forward pass, the same
 * {@link LlamaModel#forward}/{@link LlamaModel#forwardSample} path as {@link LlamaLanguageModel#generate}).
 *
 * <p>Randomness: each request draws only from its own stream ({@link GenerationRequest#newRandom()}, one
 * {@code nextDouble()} per sampled token, none when greedy), so its completion equals the same request through
 * {@link LlamaLanguageModel#generate} up to float rounding of different batch compositions (see that class).
 *
 * <p>Sampling configurations: the running batch has one {@link SamplingConfig}; pending requests with that config
 * join it, requests with another config wait (in arrival order) until the running batch has drained, then the oldest
 * waiting request's config starts the next batch. QAlign uses one config per run, so its batch never drains early.
 *
 * <p>Sharing: while the batcher has running rows its thread holds the language model's monitor, so a concurrent
 * {@link LlamaLanguageModel#generate} call on the same model waits until the batcher is idle (it never touches the
 * batcher's KV slots); so do the model's other synchronized methods ({@link LlamaLanguageModel#prompt(String)},
 * {@link LlamaLanguageModel#totalUsage()}): encode prompts before submitting. Futures are completed on the scheduler thread; callbacks must not block on it (submitting
 * the next request from a callback is fine). The pending queue is bounded: a submission beyond the bound fails its
 * future with {@link RejectedExecutionException}. {@link #close()} stops the thread and fails every pending and
 * running request with an {@link IllegalStateException} ("ContinuousBatcher closed ..."); it does not close the language model.
 */
public final class ContinuousBatcher implements AsyncLanguageModel, AutoCloseable {

    /** Default bound of the pending queue. */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

    /**
     * Counters since construction.
     *
     * @param forwardPasses    batched forward passes run
     * @param rowSteps         rows summed over forward passes (every row of a pass samples one kept token)
     * @param requests         requests completed (including failed ones)
     * @param joinedRunning    requests admitted into a batch that still had running rows
     * @param maxRows          largest number of rows of one forward pass
     */
    public record Stats(long forwardPasses, long rowSteps, long requests, long joinedRunning, int maxRows) {
    }

    private record Pending(GenerationRequest request, SamplingConfig config, CompletableFuture<Generation> future) {
    }

    /** A request being decoded in one KV slot. */
    private static final class Row {
        final Pending p;
        final RandomGenerator rng;
        final int slot;
        final int[] completion;
        final int prefixLen;
        final long computed;
        final long reused;
        int length;
        int[] feed;

        Row(Pending p, int slot, int[] tail, long computed, long reused) {
            this.p = p;
            this.rng = p.request().newRandom();
            this.slot = slot;
            this.prefixLen = p.request().prefix().length();
            this.completion = Arrays.copyOf(p.request().prefix().toArray(), p.config().maxCompletionTokens());
            this.length = prefixLen;
            this.feed = tail;
            this.computed = computed;
            this.reused = reused;
        }
    }

    private final LlamaLanguageModel lm;
    private final int rows;
    private final int capacity;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final List<Row> active = new ArrayList<>();
    private final Thread thread;
    private boolean closed;
    private long forwardPasses;
    private long rowSteps;
    private long completed;
    private long joinedRunning;
    private int maxRows;

    /**
     * Starts a batcher with {@link LlamaLanguageModel#maxBatch()} rows and the default queue bound.
     *
     * @param lm the language model (not closed by {@link #close()})
     */
    public ContinuousBatcher(LlamaLanguageModel lm) {
        this(lm, lm.maxBatch(), DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * Starts a batcher.
     *
     * @param lm            the language model (not closed by {@link #close()})
     * @param rows          rows per forward pass, in [1, {@link LlamaLanguageModel#maxBatch()}]
     * @param queueCapacity bound of the pending queue, at least 1
     */
    public ContinuousBatcher(LlamaLanguageModel lm, int rows, int queueCapacity) {
        this.lm = Objects.requireNonNull(lm, "lm");
        if (rows < 1 || rows > lm.maxBatch()) {
            throw new IllegalArgumentException("rows " + rows + " outside [1, " + lm.maxBatch()
                    + "] (the model's maxBatch)");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
        }
        this.rows = rows;
        this.capacity = queueCapacity;
        this.thread = new Thread(this::loop, "qalign-continuous-batcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Rows per forward pass.
     *
     * @return rows per forward pass
     */
    public int rows() {
        return rows;
    }

    /**
     * The counters so far.
     *
     * @return the counters so far
     */
    public Stats stats() {
        synchronized (lock) {
            return new Stats(forwardPasses, rowSteps, completed, joinedRunning, maxRows);
        }
    }

    @Override
    public CompletableFuture<Generation> generate(GenerationRequest request, SamplingConfig config) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(config, "config");
        CompletableFuture<Generation> f = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                f.completeExceptionally(new IllegalStateException("ContinuousBatcher is closed"));
            } else if (queue.size() >= capacity) {
                f.completeExceptionally(new RejectedExecutionException("ContinuousBatcher queue is full ("
                        + capacity + " pending requests)"));
            } else {
                queue.add(new Pending(request, config, f));
                lock.notifyAll();
            }
        }
        return f;
    }

    @Override
    public long parameterCount() {
        return lm.parameterCount();
    }

    /** Stops the scheduler thread; pending and running requests fail with an {@link IllegalStateException}. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (true) {
            synchronized (lock) {
                while (!closed && queue.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    break;
                }
            }
            synchronized (lm) {
                try {
                    runBatch();
                } catch (RuntimeException | Error e) {
                    failActive(e);
                }
            }
        }
        failActive(new IllegalStateException("ContinuousBatcher closed while the request was running"));
        List<Pending> left;
        synchronized (lock) {
            left = new ArrayList<>(queue);
            queue.clear();
        }
        for (Pending p : left) {
            p.future().completeExceptionally(new IllegalStateException(
                    "ContinuousBatcher closed before the request started"));
        }
    }

    private void failActive(Throwable e) {
        for (Row r : active) {
            r.p.future().completeExceptionally(e);
        }
        synchronized (lock) {
            completed += active.size();
        }
        active.clear();
    }

    /** Runs one batch (one sampling config) until no row is running and no compatible request is pending. */
    private void runBatch() {
        SamplingConfig config = null;
        while (true) {
            List<Pending> admitted = new ArrayList<>();
            boolean stop;
            synchronized (lock) {
                stop = closed;
                if (!stop) {
                    if (config == null && !queue.isEmpty()) {
                        config = queue.peek().config();
                    }
                    for (Iterator<Pending> it = queue.iterator(); it.hasNext() && active.size() + admitted.size() < rows; ) {
                        Pending p = it.next();
                        if (p.config().equals(config)) {
                            it.remove();
                            admitted.add(p);
                        }
                    }
                    if (!active.isEmpty()) {
                        joinedRunning += admitted.size();
                    }
                }
            }
            if (stop) {
                return;
            }
            admit(admitted);
            if (active.isEmpty()) {
                if (admitted.isEmpty()) {
                    return;
                }
                continue; // every admitted request was answered without decoding
            }
            step(config);
        }
    }

    /** Validates and places newly admitted requests next to the running rows. */
    private void admit(List<Pending> admitted) {
        List<Pending> placeable = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        for (Pending p : admitted) {
            GenerationRequest r = p.request();
            int cap = p.config().maxCompletionTokens();
            int len = r.prompt().ids().length();
            int k = r.prefix().length();
            if (k > cap) {
                finish(p, new IllegalArgumentException("prefix of " + k + " tokens exceeds maxCompletionTokens "
                        + cap));
            } else if ((long) len + cap > lm.contextLength()) {
                finish(p, new IllegalArgumentException("prompt (" + len + " tokens) + maxCompletionTokens (" + cap
                        + ") = " + (len + cap) + " exceeds the context length " + lm.contextLength()));
            } else if (k == cap) {
                p.future().complete(new Generation(r.prefix(), k, lm.completionText(r.prompt(), r.prefix()),
                        FinishReason.LENGTH, TokenUsage.ZERO));
                count(1);
            } else {
                placeable.add(p);
                inputs.add(r.prompt().ids().concat(r.prefix()).toArray());
            }
        }
        if (placeable.isEmpty()) {
            return;
        }
        PrefixKvPool pool = lm.pool();
        boolean[] busy = new boolean[pool.cache().slots()];
        for (Row row : active) {
            busy[row.slot] = true;
        }
        List<PrefixKvPool.Placement> placed;
        try {
            placed = pool.place(inputs, false, busy);
        } catch (RuntimeException e) { // e.g. the model was closed: these requests fail, none is left hanging
            for (Pending p : placeable) {
                finish(p, e);
            }
            throw e;
        }
        for (int i = 0; i < placeable.size(); i++) {
            PrefixKvPool.Placement pl = placed.get(i);
            int[] in = inputs.get(i);
            active.add(new Row(placeable.get(i), pl.slot(), Arrays.copyOfRange(in, pl.reused(), in.length),
                    in.length - pl.reused(), pl.reused()));
        }
    }

    /** One forward pass over every running row (new rows prefill their tail) and one kept token per row. */
    private void step(SamplingConfig config) {
        int n = active.size();
        int[] slots = new int[n];
        int[][] tokens = new int[n][];
        RandomGenerator[] draw = new RandomGenerator[n];
        for (int a = 0; a < n; a++) {
            Row r = active.get(a);
            slots[a] = r.slot;
            tokens[a] = r.feed;
            draw[a] = r.rng;
        }
        int[] sampled = lm.forwardAndSample(slots, tokens, config, draw);
        synchronized (lock) {
            forwardPasses++;
            rowSteps += n;
            maxRows = Math.max(maxRows, n);
        }
        int cap = config.maxCompletionTokens();
        List<Row> done = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            Row r = active.get(a);
            int tok = sampled[a];
            r.completion[r.length++] = tok;
            r.feed = new int[] {tok};
            FinishReason reason = lm.model().config().isEos(tok) ? FinishReason.EOS
                    : r.length >= cap ? FinishReason.LENGTH : null;
            if (reason != null) {
                done.add(r);
                lm.pool().touch(r.slot);
                TokenIds ids = TokenIds.of(r.completion, 0, r.length);
                Generation g = new Generation(ids, r.prefixLen, lm.completionText(r.p.request().prompt(), ids),
                        reason, new TokenUsage(r.computed, r.reused, r.length - r.prefixLen));
                lm.addUsage(g.usage());
                r.p.future().complete(g);
            }
        }
        active.removeAll(done);
        count(done.size());
    }

    private void finish(Pending p, RuntimeException e) {
        p.future().completeExceptionally(e);
        count(1);
    }

    private void count(int k) {
        synchronized (lock) {
            completed += k;
        }
    }
}
