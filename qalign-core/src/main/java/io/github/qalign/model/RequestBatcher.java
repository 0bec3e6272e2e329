package io.github.qalign.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Collects single requests into batch calls: worker threads take whatever is pending (up to {@code maxBatchSize},
 * grouped by a batch key), call the batch function once per group and complete each request's future. While a batch
 * call runs, new requests queue up and go out together in the next call, so the batch refills as requests arrive.
 *
 * @param <K> the grouping key (requests with different keys never share a call)
 * @param <Q> the request type
 * @param <R> the result type
 */
final class RequestBatcher<K, Q, R> implements AutoCloseable {

    private record Pending<K, Q, R>(K key, Q request, CompletableFuture<R> future) {
    }

    private final BiFunction<K, List<Q>, List<R>> call;
    private final String name;
    private final int maxBatchSize;
    private final BlockingQueue<Pending<K, Q, R>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    RequestBatcher(String name, BiFunction<K, List<Q>, List<R>> call, int maxBatchSize, int concurrency) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        this.name = name;
        this.call = call;
        this.maxBatchSize = maxBatchSize;
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(this::work, "qalign-" + name + "-batcher-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    CompletableFuture<R> submit(K key, Q request) {
        Objects.requireNonNull(request, "request");
        CompletableFuture<R> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException(name + " batcher is closed"));
            return f;
        }
        queue.add(new Pending<>(key, request, f));
        if (closed) { // closed concurrently: make sure nothing is left waiting
            failPending();
        }
        return f;
    }

    private void work() {
        List<Pending<K, Q, R>> batch = new ArrayList<>();
        while (!closed) {
            try {
                Pending<K, Q, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, maxBatchSize - 1);
            } catch (InterruptedException e) {
                break;
            }
            Map<K, List<Pending<K, Q, R>>> groups = new LinkedHashMap<>();
            for (Pending<K, Q, R> p : batch) {
                groups.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
            }
            for (Map.Entry<K, List<Pending<K, Q, R>>> g : groups.entrySet()) {
                run(g.getKey(), g.getValue());
            }
        }
        failPending();
    }

    private void run(K key, List<Pending<K, Q, R>> group) {
        List<Q> requests = new ArrayList<>(group.size());
        for (Pending<K, Q, R> p : group) {
            requests.add(p.request());
        }
        List<R> results;
        try {
            results = call.apply(key, requests);
            if (results == null || results.size() != requests.size()) {
                throw new ModelException(name + " returned " + (results == null ? "null" : results.size()
                        + " results") + " for a batch of " + requests.size() + " requests (batch size mismatch)");
            }
        } catch (RuntimeException | Error e) {
            for (Pending<K, Q, R> p : group) {
                p.future().completeExceptionally(e);
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).future().complete(results.get(i));
        }
    }

    private void failPending() {
        Pending<K, Q, R> p;
        while ((p = queue.poll()) != null) {
            p.future().completeExceptionally(new CancellationException(name + " batcher closed"));
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failPending();
    }
}
