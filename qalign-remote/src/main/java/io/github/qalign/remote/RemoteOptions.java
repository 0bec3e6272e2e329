package io.github.qalign.remote;

import java.time.Duration;
import java.util.Objects;

/**
 * How the remote models talk to their servers. Immutable; build with {@link #builder()}.
 *
 * @param connectTimeout           TCP connect timeout
 * @param requestTimeout           deadline of one attempt, from sending the request to the last byte of the body
 * @param maxResponseBytes         larger response bodies fail the attempt (a runaway server cannot exhaust memory)
 * @param maxConcurrentPerEndpoint requests in flight per endpoint (the rest wait their turn)
 * @param retry                    retry policy
 * @param probeAfter               how long a failed endpoint stays out of the fleet before it is tried again
 * @param jitterSeed               seed of the backoff jitter
 * @param sleeper                  waits between retries
 * @param apiKey                   bearer token sent as {@code Authorization: Bearer ...}, or null
 */
public record RemoteOptions(Duration connectTimeout, Duration requestTimeout, long maxResponseBytes,
                            int maxConcurrentPerEndpoint, RetryPolicy retry, Duration probeAfter, long jitterSeed,
                            Sleeper sleeper, String apiKey) {

    /** How many characters of a failed response body an error message quotes. */
    public static final int BODY_HEAD_CHARS = 200;

    /**
     * Validates the components.
     *
     * @param connectTimeout see the record description
     * @param requestTimeout see the record description
     * @param maxResponseBytes see the record description
     * @param maxConcurrentPerEndpoint see the record description
     * @param retry see the record description
     * @param probeAfter see the record description
     * @param jitterSeed see the record description
     * @param sleeper see the record description
     * @param apiKey see the record description
     */
    public RemoteOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(probeAfter, "probeAfter");
        Objects.requireNonNull(sleeper, "sleeper");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be > 0, got " + connectTimeout);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be > 0, got " + requestTimeout);
        }
        if (maxResponseBytes < 1024 || maxResponseBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxResponseBytes must be in [1024, 2^31 - 17], got "
                    + maxResponseBytes);
        }
        if (maxConcurrentPerEndpoint < 1) {
            throw new IllegalArgumentException("maxConcurrentPerEndpoint must be >= 1, got "
                    + maxConcurrentPerEndpoint);
        }
        if (probeAfter.isNegative()) {
            throw new IllegalArgumentException("probeAfter must be >= 0, got " + probeAfter);
        }
    }

    /**
     * The defaults: connect 10 s, request 300 s, 64 MiB bodies, 64 requests in flight per endpoint,
     * {@link RetryPolicy#DEFAULT}, failed endpoints probed again after 10 s, jitter seed 0, the system sleeper, no key.
     *
     * @return the default options
     */
    public static RemoteOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.maxResponseBytes = maxResponseBytes;
        b.maxConcurrentPerEndpoint = maxConcurrentPerEndpoint;
        b.retry = retry;
        b.probeAfter = probeAfter;
        b.jitterSeed = jitterSeed;
        b.sleeper = sleeper;
        b.apiKey = apiKey;
        return b;
    }

    @Override
    public String toString() {
        return "RemoteOptions[connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", maxResponseBytes=" + maxResponseBytes + ", maxConcurrentPerEndpoint=" + maxConcurrentPerEndpoint
                + ", retry=" + retry + ", probeAfter=" + probeAfter + ", apiKey=" + (apiKey == null ? "none" : "***")
                + "]";
    }

    /** Builder for {@link RemoteOptions}. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(300);
        private long maxResponseBytes = 64L << 20;
        private int maxConcurrentPerEndpoint = 64;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Duration probeAfter = Duration.ofSeconds(10);
        private long jitterSeed;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private String apiKey;

        private Builder() {
        }

        /**
         * TCP connect timeout (default 10 s).
         *
         * @param d the timeout, &gt; 0
         * @return this builder
         */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /**
         * Deadline of one attempt including the whole body (default 300 s: a long generation on a busy server).
         *
         * @param d the deadline, &gt; 0
         * @return this builder
         */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /**
         * Largest accepted response body (default 64 MiB).
         *
         * @param bytes the limit
         * @return this builder
         */
        public Builder maxResponseBytes(long bytes) {
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * Requests in flight per endpoint (default 64).
         *
         * @param n the limit, &gt;= 1
         * @return this builder
         */
        public Builder maxConcurrentPerEndpoint(int n) {
            this.maxConcurrentPerEndpoint = n;
            return this;
        }

        /**
         * Retry policy (default {@link RetryPolicy#DEFAULT}).
         *
         * @param p the policy
         * @return this builder
         */
        public Builder retry(RetryPolicy p) {
            this.retry = p;
            return this;
        }

        /**
         * How long a failed endpoint stays out of the fleet (default 10 s).
         *
         * @param d the time, &gt;= 0
         * @return this builder
         */
        public Builder probeAfter(Duration d) {
            this.probeAfter = d;
            return this;
        }

        /**
         * Seed of the backoff jitter (default 0).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder jitterSeed(long seed) {
            this.jitterSeed = seed;
            return this;
        }

        /**
         * How to wait between retries (default {@link Sleeper#SYSTEM}).
         *
         * @param s the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper s) {
            this.sleeper = s;
            return this;
        }

        /**
         * Bearer token for servers started with an API key (vLLM {@code --api-key}, llama.cpp {@code --api-key}).
         *
         * @param key the key, or null for none
         * @return this builder
         */
        public Builder apiKey(String key) {
            this.apiKey = key;
            return this;
        }

        /**
         * The options; throws {@link IllegalArgumentException} naming a bad setting.
         *
         * @return the options
         */
        public RemoteOptions build() {
            return new RemoteOptions(connectTimeout, requestTimeout, maxResponseBytes, maxConcurrentPerEndpoint, retry,
                    probeAfter, jitterSeed, sleeper, apiKey);
        }
    }
}
