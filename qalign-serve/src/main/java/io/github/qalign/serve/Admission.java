package io.github.qalign.serve;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded concurrency with a bounded queue: at most {@code concurrent} requests run, at most {@code queued} wait for
 * a slot, and any request beyond that is refused at once with 503 and {@code Retry-After} (never an unbounded
 * backlog).
 */
final class Admission {

    private final String what;
    private final Semaphore slots;
    private final int concurrent;
    private final int queued;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(String what, int concurrent, int queued) {
        this.what = what;
        this.concurrent = concurrent;
        this.queued = queued;
        this.slots = new Semaphore(concurrent, true);
    }

    /** A held slot; close to free it. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot, waiting up to {@code timeoutNanos} when all are taken and the queue has room.
     *
     * @param timeoutNanos the most to wait
     * @return the slot
     * @throws ApiException 503 when the queue is full or the wait timed out
     */
    Permit enter(long timeoutNanos) {
        if (!slots.tryAcquire()) {
            if (waiting.incrementAndGet() > queued) {
                waiting.decrementAndGet();
                throw overloaded("all " + concurrent + " " + what + " slots are busy and " + queued
                        + " requests are already waiting");
            }
            try {
                if (!slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                    throw overloaded("no " + what + " slot became free before the request timed out");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw overloaded("interrupted while waiting for a " + what + " slot");
            } finally {
                waiting.decrementAndGet();
            }
        }
        return slots::release;
    }

    /**
     * Requests running now.
     *
     * @return requests running now
     */
    int running() {
        return concurrent - slots.availablePermits();
    }

    /**
     * Requests waiting for a slot now.
     *
     * @return requests waiting now
     */
    int waiting() {
        return waiting.get();
    }

    private static ApiException overloaded(String message) {
        return new ApiException(503, "server_error", null, "server_overloaded",
                "server overloaded: " + message + "; retry later", Map.of("Retry-After", "1"));
    }
}
