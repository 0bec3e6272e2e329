package io.github.qalign.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link QalignServer} listens, limits and batches. Immutable; build with {@link #builder()}, whose defaults
 * are those of {@code qalign serve}.
 *
 * @param host                 the address to bind (default {@value #DEFAULT_HOST}: loopback only)
 * @param port                 the port (0: an ephemeral port, see {@link QalignServer#port()})
 * @param apiKey               the bearer token every request except {@code /health} must carry, or null for none
 * @param maxRequestBytes      largest request body; larger ones get 413
 * @param requestTimeout       a request's deadline; model work still running then is abandoned (504)
 * @param maxConcurrent        model-endpoint requests served at once (their rows wait in the batching queue)
 * @param maxQueued            model-endpoint requests waiting for a slot; beyond it 503 with {@code Retry-After}
 * @param maxAlignments        alignment requests ({@code /v1/chat/completions}) run at once
 * @param maxQueuedAlignments  alignment requests waiting for a slot; beyond it 503 with {@code Retry-After}
 * @param maxBatchRows         rows per batched model call
 * @param maxBatchWait         how long a batch waits for more requests after its first one
 * @param batching             false to run every request alone (for comparisons)
 * @param maxBudget            largest alignment budget (samples per request); larger ones get 400
 * @param maxN                 largest {@code n} of {@code /v1/completions}
 * @param defaultBudget        budget of alignment requests that give none
 * @param defaultBeta          beta of QAlign/WMV requests that give neither beta nor target acceptance
 * @param seed                 seed of the server-side generator that seeds requests without a {@code seed}
 * @param shutdownGrace        how long a graceful stop waits for requests in flight
 */
public record ServerConfig(String host, int port, String apiKey, int maxRequestBytes, Duration requestTimeout,
                           int maxConcurrent, int maxQueued, int maxAlignments, int maxQueuedAlignments,
                           int maxBatchRows, Duration maxBatchWait, boolean batching, int maxBudget, int maxN,
                           int defaultBudget, double defaultBeta, long seed, Duration shutdownGrace) {

    /** Default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port. */
    public static final int DEFAULT_PORT = 8000;

    /**
     * Validates the components.
     *
     * @param host                see the record description
     * @param port                see the record description
     * @param apiKey              see the record description
     * @param maxRequestBytes     see the record description
     * @param requestTimeout      see the record description
     * @param maxConcurrent       see the record description
     * @param maxQueued           see the record description
     * @param maxAlignments       see the record description
     * @param maxQueuedAlignments see the record description
     * @param maxBatchRows        see the record description
     * @param maxBatchWait        see the record description
     * @param batching            see the record description
     * @param maxBudget           see the record description
     * @param maxN                see the record description
     * @param defaultBudget       see the record description
     * @param defaultBeta         see the record description
     * @param seed                see the record description
     * @param shutdownGrace       see the record description
     */
    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(maxBatchWait, "maxBatchWait");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is blank (use null for no key)");
        }
        positive("maxRequestBytes", maxRequestBytes);
        positive("maxConcurrent", maxConcurrent);
        positive("maxAlignments", maxAlignments);
        positive("maxBatchRows", maxBatchRows);
        positive("maxBudget", maxBudget);
        positive("maxN", maxN);
        positive("defaultBudget", defaultBudget);
        if (maxQueued < 0 || maxQueuedAlignments < 0) {
            throw new IllegalArgumentException("queue sizes must be >= 0, got " + maxQueued + ", "
                    + maxQueuedAlignments);
        }
        if (defaultBudget > maxBudget) {
            throw new IllegalArgumentException("defaultBudget " + defaultBudget + " exceeds maxBudget " + maxBudget);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be > 0, got " + requestTimeout);
        }
        if (maxBatchWait.isNegative() || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("maxBatchWait and shutdownGrace must be >= 0");
        }
        if (!(defaultBeta > 0) || Double.isInfinite(defaultBeta)) {
            throw new IllegalArgumentException("defaultBeta must be finite and > 0, got " + defaultBeta);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    /**
     * A builder with the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link ServerConfig}; {@link #build()} rejects bad values naming the parameter. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String apiKey;
        private int maxRequestBytes = 1 << 20;
        private Duration requestTimeout = Duration.ofSeconds(300);
        private int maxConcurrent = 64;
        private int maxQueued = 256;
        private int maxAlignments = 4;
        private int maxQueuedAlignments = 16;
        private int maxBatchRows = 64;
        private Duration maxBatchWait = Duration.ZERO;
        private boolean batching = true;
        private int maxBudget = 128;
        private int maxN = 64;
        private int defaultBudget = 8;
        private double defaultBeta = 1.0;
        private long seed = 0;
        private Duration shutdownGrace = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * Bind address (default {@value ServerConfig#DEFAULT_HOST}).
         *
         * @param h the address
         * @return this builder
         */
        public Builder host(String h) {
            this.host = h;
            return this;
        }

        /**
         * Port (default {@value ServerConfig#DEFAULT_PORT}; 0 for an ephemeral port).
         *
         * @param p the port
         * @return this builder
         */
        public Builder port(int p) {
            this.port = p;
            return this;
        }

        /**
         * Bearer token required on every request but {@code /health} (default none).
         *
         * @param key the token, or null
         * @return this builder
         */
        public Builder apiKey(String key) {
            this.apiKey = key;
            return this;
        }

        /**
         * Largest request body in bytes (default 1 MiB).
         *
         * @param n bytes
         * @return this builder
         */
        public Builder maxRequestBytes(int n) {
            this.maxRequestBytes = n;
            return this;
        }

        /**
         * A request's deadline (default 300 s).
         *
         * @param d the timeout
         * @return this builder
         */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /**
         * Model-endpoint requests served at once (default 64) and waiting (default 256).
         *
         * @param concurrent served at once
         * @param queued     waiting for a slot
         * @return this builder
         */
        public Builder concurrency(int concurrent, int queued) {
            this.maxConcurrent = concurrent;
            this.maxQueued = queued;
            return this;
        }

        /**
         * Alignment requests run at once (default 4) and waiting (default 16).
         *
         * @param concurrent run at once
         * @param queued     waiting for a slot
         * @return this builder
         */
        public Builder alignmentConcurrency(int concurrent, int queued) {
            this.maxAlignments = concurrent;
            this.maxQueuedAlignments = queued;
            return this;
        }

        /**
         * Batch formation: rows per batch (default 64), wait after the first request (default 0: a batch is what
         * queued while the model ran the previous one, so a lone request never waits), on/off.
         *
         * @param rows     rows per batch
         * @param wait     how long a batch waits for more
         * @param enabled  false to run every request alone
         * @return this builder
         */
        public Builder batching(int rows, Duration wait, boolean enabled) {
            this.maxBatchRows = rows;
            this.maxBatchWait = wait;
            this.batching = enabled;
            return this;
        }

        /**
         * Largest alignment budget (default 128).
         *
         * @param n the cap
         * @return this builder
         */
        public Builder maxBudget(int n) {
            this.maxBudget = n;
            return this;
        }

        /**
         * Largest {@code n} of {@code /v1/completions} (default 64).
         *
         * @param n the cap
         * @return this builder
         */
        public Builder maxN(int n) {
            this.maxN = n;
            return this;
        }

        /**
         * Budget of alignment requests that give none (default 8).
         *
         * @param n the budget
         * @return this builder
         */
        public Builder defaultBudget(int n) {
            this.defaultBudget = n;
            return this;
        }

        /**
         * Beta of requests that give none (default 1).
         *
         * @param beta the beta
         * @return this builder
         */
        public Builder defaultBeta(double beta) {
            this.defaultBeta = beta;
            return this;
        }

        /**
         * Seed of the server-side generator that seeds requests without a seed (default 0).
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * How long a graceful stop waits for requests in flight (default 30 s).
         *
         * @param d the grace period
         * @return this builder
         */
        public Builder shutdownGrace(Duration d) {
            this.shutdownGrace = d;
            return this;
        }

        /**
         * The configuration.
         *
         * @return the configuration
         */
        public ServerConfig build() {
            return new ServerConfig(host, port, apiKey, maxRequestBytes, requestTimeout, maxConcurrent, maxQueued,
                    maxAlignments, maxQueuedAlignments, maxBatchRows, maxBatchWait, batching, maxBudget, maxN,
                    defaultBudget, defaultBeta, seed, shutdownGrace);
        }
    }
}
