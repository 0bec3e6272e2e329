package io.github.qalign.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.serve.batch.BatchStats;
import io.github.qalign.serve.batch.BatchingLanguageModel;
import io.github.qalign.serve.batch.BatchingRewardModel;
import io.github.qalign.serve.batch.Deadline;
import io.github.qalign.serve.batch.RequestTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * An OpenAI- and vLLM-compatible HTTP server over a policy and a reward model, on Jetty 12.
 *
 * <p>Endpoints: {@code POST /v1/completions}, {@code POST /classify} (also {@code /v1/classify}),
 * {@code POST /tokenize}, {@code POST /detokenize}, {@code GET /v1/models}, {@code GET /health},
 * {@code GET /v1/qalign/metrics} (batch sizes, queue depths) and {@code POST /v1/chat/completions} (test-time
 * alignment, see {@link AlignmentEndpoint}). Errors use OpenAI's shape ({@link ApiException}).
 *
 * <p>Limits ({@link ServerConfig}): request bodies above {@code maxRequestBytes} get 413; model-endpoint and
 * alignment requests pass bounded admission queues (beyond them 503 with {@code Retry-After: 1}); every request has a
 * deadline after which its model work is abandoned (504); an optional bearer token guards every path but
 * {@code /health}. Every request is logged once on the SLF4J logger {@value #ACCESS_LOGGER} with key-value pairs
 * (method, path, status, duration_ms, request_id and per-endpoint token counts).
 *
 * <p>{@link #stop()} is graceful: the connector stops accepting, requests in flight finish (up to
 * {@code shutdownGrace}), then the batching queues drain and stop. The models themselves are not closed.
 */
public final class QalignServer implements AutoCloseable {

    /** The SLF4J logger of the access log. */
    public static final String ACCESS_LOGGER = "io.github.qalign.serve.access";

    private static final Logger LOG = LoggerFactory.getLogger(QalignServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);

    private final ServerConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final Server server;
    private final ServerConnector connector;
    private final BatchingLanguageModel policyQueue;
    private final BatchingRewardModel rewardQueue;
    private final BatchingRewardModel classifyQueue;
    private final BatchStats policyStats = new BatchStats();
    private final BatchStats rewardStats = new BatchStats();
    private final BatchStats classifyStats = new BatchStats();
    private final Admission modelAdmission;
    private final Admission alignmentAdmission;
    private final ModelEndpoints modelEndpoints;
    private final AlignmentEndpoint alignmentEndpoint;
    private final AtomicLong requestCounter = new AtomicLong();
    private final byte[] apiKeyBytes;
    private volatile boolean stopped;

    private QalignServer(ServedPolicy policy, ServedReward reward, ServerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reward, "reward");
        this.policyQueue = new BatchingLanguageModel(policy.model(), config.maxBatchRows(), config.maxBatchWait(),
                config.batching(), policyStats);
        this.rewardQueue = new BatchingRewardModel(reward.model(), config.maxBatchRows(), config.maxBatchWait(),
                config.batching(), rewardStats);
        this.classifyQueue = new BatchingRewardModel(reward.rawIds(), config.maxBatchRows(), config.maxBatchWait(),
                config.batching(), classifyStats);
        this.modelAdmission = new Admission("model", config.maxConcurrent(), config.maxQueued());
        this.alignmentAdmission = new Admission("alignment", config.maxAlignments(), config.maxQueuedAlignments());
        SeedSource seeds = new SeedSource(config.seed());
        this.modelEndpoints = new ModelEndpoints(json, policy, reward, policyQueue, classifyQueue, config, seeds);
        this.alignmentEndpoint = new AlignmentEndpoint(json, policy, reward, policyQueue, rewardQueue, config, seeds);
        this.apiKeyBytes = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);

        int threads = config.maxConcurrent() + config.maxQueued() + config.maxAlignments()
                + config.maxQueuedAlignments() + 16;
        // enough threads for every admitted request to block in the batching queue; admission rejects the rest
        QueuedThreadPool pool = new QueuedThreadPool(threads, 4);
        pool.setName("qalign-serve");
        this.server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(Math.max(30_000, config.requestTimeout().toMillis() + 5_000));
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new Api()) {
            @Override
            protected void handleShutdownRejection(Request request, Response response, Callback callback) {
                response.getHeaders().put("Retry-After", "1");
                writeJson(response, callback, 503, errorBody(new ApiException(503, "server_error", null,
                        "shutting_down", "the server is shutting down", Map.of())));
            }
        });
        // errors Jetty answers itself (malformed HTTP, oversized headers) also in OpenAI's shape
        server.setErrorHandler(new ErrorHandler() {
            @Override
            protected void generateResponse(Request request, Response response, int code, String message,
                                            Throwable cause, Callback callback) {
                String type = code >= 500 ? "server_error" : "invalid_request_error";
                writeJson(response, callback, code, errorBody(new ApiException(code, type, null, "http_" + code,
                        message == null || message.isBlank() ? "HTTP error " + code : message, Map.of())));
            }
        });
        server.setStopTimeout(config.shutdownGrace().toMillis());
        server.setStopAtShutdown(false);
    }

    /**
     * Starts a server.
     *
     * @param policy the policy
     * @param reward the reward model
     * @param config listening, limits and batching
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    public static QalignServer start(ServedPolicy policy, ServedReward reward, ServerConfig config)
            throws IOException {
        QalignServer s = new QalignServer(policy, reward, config);
        try {
            s.server.start();
        } catch (IOException e) {
            s.closeQueues();
            throw e;
        } catch (Exception e) {
            s.closeQueues();
            throw new IOException("cannot start the server on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        LOG.info("qalign serve listening on http://{}:{} (policy {}, reward model {})", config.host(), s.port(),
                policy.name(), reward.name());
        return s;
    }

    /**
     * The bound port (the ephemeral one when the configuration asked for 0).
     *
     * @return the bound port
     */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * The base URI, e.g. {@code http://127.0.0.1:8000}.
     *
     * @return the base URI
     */
    public URI baseUri() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + h + ":" + port());
    }

    /**
     * Batches the policy saw (all endpoints and alignment runs together).
     *
     * @return the policy's batch counters
     */
    public BatchStats.Snapshot policyBatches() {
        return policyStats.snapshot();
    }

    /**
     * Batches the reward model saw from alignment runs.
     *
     * @return the reward model's batch counters
     */
    public BatchStats.Snapshot rewardBatches() {
        return rewardStats.snapshot();
    }

    /**
     * Batches {@code /classify} sent to the reward model.
     *
     * @return the classify batch counters
     */
    public BatchStats.Snapshot classifyBatches() {
        return classifyStats.snapshot();
    }

    /**
     * Stops gracefully: no new connections, requests in flight finish (up to the grace period), then the batching
     * queues drain. Idempotent.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        LOG.info("qalign serve stopping: waiting up to {} ms for requests in flight",
                config.shutdownGrace().toMillis());
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP server: {}", e.toString());
        } finally {
            closeQueues();
        }
        LOG.info("qalign serve stopped");
    }

    /** Blocks until the server stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void closeQueues() {
        policyQueue.close();
        rewardQueue.close();
        classifyQueue.close();
    }

    ObjectNode metrics() {
        ObjectNode n = json.createObjectNode();
        put(n.putObject("policy_batches"), policyStats.snapshot());
        put(n.putObject("reward_batches"), rewardStats.snapshot());
        put(n.putObject("classify_batches"), classifyStats.snapshot());
        ObjectNode adm = n.putObject("admission");
        adm.put("model_running", modelAdmission.running());
        adm.put("model_waiting", modelAdmission.waiting());
        adm.put("alignment_running", alignmentAdmission.running());
        adm.put("alignment_waiting", alignmentAdmission.waiting());
        n.put("requests", requestCounter.get());
        return n;
    }

    private static void put(ObjectNode n, BatchStats.Snapshot s) {
        n.put("batches", s.batches());
        n.put("rows", s.rows());
        n.put("jobs", s.jobs());
        n.put("max_rows", s.maxRows());
        n.put("max_jobs", s.maxJobs());
        ObjectNode h = n.putObject("row_histogram");
        s.rowHistogram().forEach((k, v) -> h.put(Integer.toString(k), v));
    }

    /** Routing, auth, limits, errors and the access log. */
    private final class Api extends Handler.Abstract {

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long t0 = System.nanoTime();
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            String given = request.getHeaders().get("X-Request-Id");
            String rid = given != null && given.length() <= 128 ? given : "req-" + requestCounter.incrementAndGet();
            if (given != null) {
                requestCounter.incrementAndGet();
            }
            response.getHeaders().put("X-Request-Id", rid);
            Exchange ex = new Exchange(method, path, rid, h -> request.getHeaders().get(h), () -> readBody(request),
                    () -> {
                        response.setStatus(200);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                        return Content.Sink.asOutputStream(response);
                    });
            int status = 200;
            String errorCode = null;
            try (Deadline.Scope d = Deadline.enter(config.requestTimeout().toNanos())) {
                JsonNode result = route(ex);
                if (ex.streaming()) {
                    callback.succeeded();
                } else {
                    writeJson(response, callback, 200, result);
                }
            } catch (RuntimeException | Error e) {
                ApiException api = toApi(e, ex);
                status = api.status();
                errorCode = api.code();
                if (ex.streaming()) {
                    try {
                        ex.event(json, "error", errorBody(api));
                        ex.endEvents();
                        callback.succeeded();
                    } catch (RuntimeException e2) {
                        callback.failed(e2);
                    }
                } else {
                    api.headers().forEach((k, v) -> response.getHeaders().put(k, v));
                    writeJson(response, callback, api.status(), errorBody(api));
                }
            } finally {
                access(ex, status, errorCode, t0);
            }
            return true;
        }
    }

    private JsonNode route(Exchange ex) {
        String p = ex.path;
        if (p.equals("/health")) {
            requireMethod(ex, "GET");
            return null;
        }
        checkAuth(ex);
        switch (p) {
            case "/v1/models":
                requireMethod(ex, "GET");
                return modelEndpoints.models();
            case "/v1/qalign/metrics":
                requireMethod(ex, "GET");
                return metrics();
            case "/v1/completions":
                requireMethod(ex, "POST");
                return admitted(modelAdmission, () -> modelEndpoints.completions(ex));
            case "/classify":
            case "/v1/classify":
                requireMethod(ex, "POST");
                return admitted(modelAdmission, () -> modelEndpoints.classify(ex));
            case "/tokenize":
                requireMethod(ex, "POST");
                return admitted(modelAdmission, () -> modelEndpoints.tokenize(ex));
            case "/detokenize":
                requireMethod(ex, "POST");
                return admitted(modelAdmission, () -> modelEndpoints.detokenize(ex));
            case "/v1/chat/completions":
                requireMethod(ex, "POST");
                return admitted(alignmentAdmission, () -> alignmentEndpoint.chat(ex));
            default:
                throw new ApiException(404, "invalid_request_error", null, "unknown_url",
                        "Invalid URL (" + ex.method + " " + abbreviate(p) + "): the server serves /v1/completions, "
                                + "/v1/chat/completions, /classify, /tokenize, /detokenize, /v1/models, /health, "
                                + "/v1/qalign/metrics", Map.of());
        }
    }

    private JsonNode admitted(Admission admission, java.util.function.Supplier<JsonNode> work) {
        long left = Deadline.remainingNanos().orElse(Long.MAX_VALUE);
        try (Admission.Permit p = admission.enter(Math.max(0, left))) {
            return work.get();
        }
    }

    private static void requireMethod(Exchange ex, String method) {
        if (!ex.method.equals(method)) {
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    ex.path + " takes " + method + ", got " + ex.method, Map.of("Allow", method));
        }
    }

    private void checkAuth(Exchange ex) {
        if (apiKeyBytes == null) {
            return;
        }
        String h = ex.header("Authorization");
        byte[] given = h != null && h.startsWith("Bearer ") ? h.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, apiKeyBytes)) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    h == null ? "missing API key: send the header 'Authorization: Bearer <key>'"
                            : "incorrect API key provided", Map.of("WWW-Authenticate", "Bearer"));
        }
    }

    private ObjectNode readBody(Request request) {
        long declared = request.getLength();
        int max = config.maxRequestBytes();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(max + 1);
        } catch (IOException e) {
            throw ApiException.badRequest(null, "unreadable_body", "cannot read the request body: " + e.getMessage());
        }
        if (bytes.length > max) {
            throw tooLarge(bytes.length, max);
        }
        if (bytes.length == 0) {
            throw ApiException.badRequest(null, "invalid_json", "the request body is empty; expected a JSON object");
        }
        JsonNode n;
        try {
            n = json.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.badRequest(null, "invalid_json", "the request body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest(null, "invalid_json", "cannot parse the request body: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest(null, "invalid_json", "the request body must be a JSON object, got "
                    + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return (ObjectNode) n;
    }

    private static ApiException tooLarge(long size, int max) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "request body of " + size + " bytes exceeds the limit of " + max + " bytes", Map.of());
    }

    private ApiException toApi(Throwable e, Exchange ex) {
        if (e instanceof ApiException a) {
            return a;
        }
        if (e instanceof RequestTimeoutException) {
            return new ApiException(504, "timeout_error", null, "request_timeout", e.getMessage() + " (limit "
                    + config.requestTimeout().toMillis() + " ms)", Map.of());
        }
        if (e instanceof IllegalStateException && stopped) {
            return new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down",
                    Map.of("Retry-After", "1"));
        }
        LOG.error("request {} {} {} failed", ex.requestId, ex.method, ex.path, e);
        return new ApiException(500, "server_error", null, "internal_error", "internal error while serving "
                + ex.path + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), Map.of());
    }

    private ObjectNode errorBody(ApiException e) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        if (e.param() == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param());
        }
        if (e.code() == null) {
            err.putNull("code");
        } else {
            err.put("code", e.code());
        }
        return root;
    }

    private void writeJson(Response response, Callback callback, int status, JsonNode body) {
        response.setStatus(status);
        if (body == null) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        String s;
        try {
            s = json.writeValueAsString(body);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        Content.Sink.write(response, true, s, callback);
    }

    private void access(Exchange ex, int status, String errorCode, long t0) {
        LoggingEventBuilder b = ACCESS.atInfo().addKeyValue("method", ex.method).addKeyValue("path", ex.path)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", (System.nanoTime() - t0) / 1_000_000)
                .addKeyValue("request_id", ex.requestId);
        if (errorCode != null) {
            b = b.addKeyValue("error", errorCode);
        }
        for (Map.Entry<String, Object> e : ex.log.entrySet()) {
            b = b.addKeyValue(e.getKey(), e.getValue());
        }
        b.log("access");
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** A thread-safe source of request seeds: {@code new SplittableRandom(seed).nextLong()} in arrival order. */
    static final class SeedSource {
        private final java.util.SplittableRandom rng;

        SeedSource(long seed) {
            this.rng = new java.util.SplittableRandom(seed);
        }

        synchronized long next() {
            return rng.nextLong();
        }
    }
}
