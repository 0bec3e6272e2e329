package io.github.qalign.serve.batch;

import java.util.OptionalLong;

/**
 * The deadline of the HTTP request the current thread serves, so that a model call made deep inside a sampler gives
 * up when the request times out. Set with {@link #enter(long)} in a try-with-resources block.
 */
public final class Deadline {

    private static final ThreadLocal<Long> CURRENT = new ThreadLocal<>();

    private Deadline() {
    }

    /** Restores the previous deadline when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Sets the current thread's deadline.
     *
     * @param timeoutNanos time from now, &gt; 0
     * @return the scope to close
     */
    public static Scope enter(long timeoutNanos) {
        Long previous = CURRENT.get();
        CURRENT.set(System.nanoTime() + timeoutNanos);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /**
     * Nanoseconds left before the current thread's deadline (may be &le; 0), or empty when none is set.
     *
     * @return the time left
     */
    public static OptionalLong remainingNanos() {
        Long d = CURRENT.get();
        return d == null ? OptionalLong.empty() : OptionalLong.of(d - System.nanoTime());
    }

    /**
     * Throws {@link RequestTimeoutException} if the current thread's deadline has passed.
     *
     * @param what what was running, for the message
     */
    public static void check(String what) {
        OptionalLong left = remainingNanos();
        if (left.isPresent() && left.getAsLong() <= 0) {
            throw new RequestTimeoutException("request timed out during " + what);
        }
    }
}
