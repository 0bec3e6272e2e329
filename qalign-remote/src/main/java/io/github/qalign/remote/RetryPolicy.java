package io.github.qalign.remote;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When and how long to wait before retrying a failed call: exponential backoff with jitter.
 *
 * <p>Attempt {@code a} (1-based) that failed is followed, if {@code a < maxAttempts}, by a wait of
 * {@code min(maxBackoff, initialBackoff * 2^(a-1)) * (1 - jitter * u)} with {@code u} uniform in [0, 1) from a
 * seeded generator (so two runs with the same seed wait the same), or by the server's {@code Retry-After} when a 429
 * or 503 response carries one and it is longer (capped at {@link #maxRetryAfter()}).
 *
 * @param maxAttempts    total attempts per call, &gt;= 1 (1 = no retry)
 * @param initialBackoff the wait after the first failure, &gt;= 0
 * @param maxBackoff     the largest computed wait, &gt;= initialBackoff
 * @param jitter         the fraction of each wait that is randomized, in [0, 1]
 * @param maxRetryAfter  the longest {@code Retry-After} honoured; a longer one fails the call at once
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter,
                          Duration maxRetryAfter) {

    /** 4 attempts, 200 ms doubling up to 5 s, 50 % jitter, Retry-After honoured up to 60 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(5), 0.5,
            Duration.ofSeconds(60));

    /** One attempt, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0, Duration.ZERO);

    /**
     * Validates the components.
     *
     * @param maxAttempts see the record description
     * @param initialBackoff see the record description
     * @param maxBackoff see the record description
     * @param jitter see the record description
     * @param maxRetryAfter see the record description
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, got " + initialBackoff + ", "
                    + maxBackoff);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], got " + jitter);
        }
        if (maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("maxRetryAfter must be >= 0, got " + maxRetryAfter);
        }
    }

    /**
     * A copy with another number of attempts.
     *
     * @param n total attempts, &gt;= 1
     * @return the copy
     */
    public RetryPolicy withMaxAttempts(int n) {
        return new RetryPolicy(n, initialBackoff, maxBackoff, jitter, maxRetryAfter);
    }

    /**
     * The computed wait after failed attempt {@code attempt}.
     *
     * @param attempt the 1-based attempt that failed
     * @param random  the jitter source
     * @return the wait
     */
    public Duration backoff(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
        }
        long base = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        long d = base;
        for (int i = 1; i < attempt && d < cap; i++) {
            d = d > cap / 2 ? cap : d * 2;
        }
        d = Math.min(d, cap);
        double u = jitter == 0 ? 0 : random.nextDouble();
        return Duration.ofNanos((long) (d * (1 - jitter * u)));
    }
}
