package io.github.qalign.remote.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP server speaking vLLM's shapes over in-process models — for tests and benchmarks, not production.
 *
 * <ul>
 *   <li>{@code POST /v1/completions}: a token-id {@code prompt} (one list), {@code max_tokens}, {@code seed}
 *       (required: this server only samples reproducibly), {@code n} (child {@code i} is seeded {@code seed + i},
 *       as vLLM does), {@code temperature} &gt; 0, {@code top_p}, {@code top_k} ({@code -1} or {@code 0} = off).
 *       The ids are split into the longest {@linkplain Builder#prompts known prompt} they start with and a completion
 *       prefix (models whose next-token law depends on the position in the completion need it; for others the
 *       split does not matter), and {@code cap = |prefix| + max_tokens}. Answers with {@code choices[].token_ids},
 *       {@code finish_reason} ({@code stop} on EOS, the EOS id included in {@code token_ids}, else {@code length})
 *       and {@code usage} with {@code prompt_tokens_details.cached_tokens}.</li>
 *   <li>{@code POST /classify}: {@code input} = one id list or a list of them; {@code use_activation: false} gives
 *       the raw reward, otherwise its sigmoid (vLLM's default for one label).</li>
 *   <li>{@code POST /tokenize} with {@code messages} (the language model's chat rendering), {@code POST /detokenize},
 *       {@code GET /health}, {@code GET /v1/models}.</li>
 * </ul>
 * Errors are 400s in vLLM's {@code {"error": {"message", "type", "code"}}} shape. Requests are handled on a fixed
 * pool of threads, each its own model call unless {@link Builder#maxBatch(int)} lets concurrent calls share one; close the server to stop it (open connections are dropped, as a killed server's would be).
 */
public final class ModelServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REQUEST_BYTES = 16 << 20;
    private static final int MAX_N = 64;

    private final LanguageModel languageModel;
    private final RewardModel rewardModel;
    private final String modelName;
    private final List<Prompt> prompts;
    private final HttpServer server;
    private final ExecutorService pool;
    private final AtomicLong completions = new AtomicLong();
    private final AtomicLong classifications = new AtomicLong();
    private final Batcher batcher;

    private ModelServer(Builder b) throws IOException {
        this.languageModel = b.languageModel;
        this.rewardModel = b.rewardModel;
        this.modelName = b.modelName;
        this.prompts = List.copyOf(b.prompts);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 64);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "model-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        this.batcher = b.maxBatch > 1 && languageModel != null ? new Batcher(languageModel, b.maxBatch) : null;
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The base URL ({@code http://127.0.0.1:port}).
     *
     * @return the base URL
     */
    public URI baseUrl() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
    }

    /**
     * Completion requests answered with 200 so far.
     *
     * @return the count
     */
    public long completions() {
        return completions.get();
    }

    /**
     * Classify requests answered with 200 so far.
     *
     * @return the count
     */
    public long classifications() {
        return classifications.get();
    }

    /** Stops the server at once, dropping open connections. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        if (batcher != null) {
            batcher.close();
        }
    }

    /**
     * Runs the requests of concurrent HTTP calls together: a worker takes the oldest waiting call and every other
     * waiting call with the same sampling configuration (up to {@code maxBatch} rows) and makes one
     * {@link LanguageModel#generate} call of them all, as a serving engine batches concurrent requests. Each request
     * still draws only from its own seed, so results do not depend on the batching (up to float rounding of
     * batched forward passes).
     */
    private static final class Batcher implements AutoCloseable {
        private final LanguageModel lm;
        private final int maxBatch;
        private final java.util.concurrent.LinkedBlockingDeque<Job> queue = new java.util.concurrent.LinkedBlockingDeque<>();
        private final Thread worker;

        private record Job(List<GenerationRequest> requests, SamplingConfig config,
                           java.util.concurrent.CompletableFuture<List<Generation>> result) {
        }

        Batcher(LanguageModel lm, int maxBatch) {
            this.lm = lm;
            this.maxBatch = maxBatch;
            this.worker = new Thread(this::loop, "model-server-batcher");
            worker.setDaemon(true);
            worker.start();
        }

        List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
            Job j = new Job(requests, config, new java.util.concurrent.CompletableFuture<>());
            queue.add(j);
            try {
                return j.result().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }

        private void loop() {
            while (!Thread.currentThread().isInterrupted()) {
                Job first;
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                List<Job> jobs = new ArrayList<>();
                jobs.add(first);
                int rows = first.requests().size();
                for (java.util.Iterator<Job> it = queue.iterator(); it.hasNext() && rows < maxBatch; ) {
                    Job j = it.next();
                    if (j.config().equals(first.config()) && rows + j.requests().size() <= maxBatch) {
                        it.remove();
                        jobs.add(j);
                        rows += j.requests().size();
                    }
                }
                List<GenerationRequest> all = new ArrayList<>(rows);
                jobs.forEach(j -> all.addAll(j.requests()));
                try {
                    List<Generation> out = lm.generate(all, first.config());
                    int at = 0;
                    for (Job j : jobs) {
                        j.result().complete(out.subList(at, at + j.requests().size()));
                        at += j.requests().size();
                    }
                } catch (RuntimeException e) {
                    jobs.forEach(j -> j.result().completeExceptionally(e));
                }
            }
        }

        @Override
        public void close() {
            worker.interrupt();
            queue.forEach(j -> j.result().completeExceptionally(new IllegalStateException("server closed")));
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            try {
                if (method.equals("GET") && path.equals("/health")) {
                    send(ex, 200, new byte[0]);
                } else if (method.equals("GET") && path.equals("/v1/models")) {
                    ObjectNode r = JSON.createObjectNode().put("object", "list");
                    r.putArray("data").addObject().put("id", modelName).put("object", "model")
                            .put("owned_by", "qalign");
                    sendJson(ex, 200, r);
                } else if (method.equals("POST") && path.equals("/v1/completions") && languageModel != null) {
                    sendJson(ex, 200, completions(read(ex)));
                    completions.incrementAndGet();
                } else if (method.equals("POST") && path.equals("/classify") && rewardModel != null) {
                    sendJson(ex, 200, classify(read(ex)));
                    classifications.incrementAndGet();
                } else if (method.equals("POST") && path.equals("/tokenize") && languageModel != null) {
                    sendJson(ex, 200, tokenize(read(ex)));
                } else if (method.equals("POST") && path.equals("/detokenize") && languageModel != null) {
                    JsonNode b = read(ex);
                    sendJson(ex, 200, JSON.createObjectNode().put("prompt",
                            languageModel.decode(TokenIds.of(ids(b.get("tokens"), "tokens")))));
                } else {
                    error(ex, 404, "NotFoundError", "no route " + method + " " + path);
                }
            } catch (BadRequest e) {
                error(ex, 400, "BadRequestError", e.getMessage());
            } catch (RuntimeException e) {
                error(ex, 500, "InternalServerError", String.valueOf(e.getMessage()));
            }
        }
    }

    private ObjectNode completions(JsonNode b) {
        JsonNode p = b.get("prompt");
        if (p != null && p.isArray() && p.size() == 1 && p.get(0).isArray()) {
            p = p.get(0);
        }
        int[] ids = ids(p, "prompt");
        int maxTokens = intField(b, "max_tokens", 16);
        int n = intField(b, "n", 1);
        if (maxTokens < 1 || n < 1 || n > MAX_N) {
            throw new BadRequest("max_tokens must be >= 1 and n in [1, " + MAX_N + "]");
        }
        JsonNode seed = b.get("seed");
        if (seed == null || !seed.canConvertToLong()) {
            throw new BadRequest("this test server needs an integer 'seed'");
        }
        double temperature = b.path("temperature").asDouble(1.0);
        if (!(temperature > 0)) {
            throw new BadRequest("temperature must be > 0 (greedy is not supported by this test server)");
        }
        Prompt prompt = split(ids);
        TokenIds all = TokenIds.of(ids);
        TokenIds prefix = all.slice(prompt.ids().length(), ids.length);
        SamplingConfig.Builder cb = SamplingConfig.builder().temperature(temperature)
                .maxCompletionTokens(prefix.length() + maxTokens);
        double topP = b.path("top_p").asDouble(1.0);
        if (topP < 1.0) {
            cb.topP(topP);
        }
        int topK = b.path("top_k").asInt(-1);
        if (topK > 0) {
            cb.topK(topK);
        }
        SamplingConfig config;
        try {
            config = cb.build();
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
        List<GenerationRequest> reqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reqs.add(new GenerationRequest(prompt, prefix, seed.longValue() + i));
        }
        List<Generation> gens = batcher != null ? batcher.generate(reqs, config)
                : languageModel.generate(reqs, config);
        ObjectNode r = JSON.createObjectNode();
        r.put("id", "cmpl-" + Long.toHexString(seed.longValue()));
        r.put("object", "text_completion");
        r.put("created", System.currentTimeMillis() / 1000);
        r.put("model", modelName);
        ArrayNode choices = r.putArray("choices");
        long completionTokens = 0;
        for (int i = 0; i < n; i++) {
            Generation g = gens.get(i);
            TokenIds cont = g.continuation();
            ObjectNode c = choices.addObject();
            c.put("index", i);
            c.put("text", languageModel.decode(cont));
            c.putNull("logprobs");
            c.put("finish_reason", g.finishReason() == FinishReason.EOS ? "stop" : "length");
            c.putNull("stop_reason");
            ArrayNode t = c.putArray("token_ids");
            cont.stream().forEach(t::add);
            c.putNull("prompt_logprobs");
            c.putNull("prompt_token_ids");
            completionTokens += cont.length();
        }
        ObjectNode usage = r.putObject("usage");
        usage.put("prompt_tokens", ids.length);
        usage.put("total_tokens", ids.length + completionTokens);
        usage.put("completion_tokens", completionTokens);
        usage.putObject("prompt_tokens_details").put("cached_tokens", gens.get(0).usage().reusedInputTokens());
        return r;
    }

    private ObjectNode classify(JsonNode b) {
        JsonNode input = b.get("input");
        if (input == null || !input.isArray() || input.isEmpty()) {
            throw new BadRequest("'input' must be a non-empty list of token ids or of token-id lists");
        }
        List<int[]> inputs = new ArrayList<>();
        if (input.get(0).isArray()) {
            for (int i = 0; i < input.size(); i++) {
                inputs.add(ids(input.get(i), "input[" + i + "]"));
            }
        } else {
            inputs.add(ids(input, "input"));
        }
        boolean activation = !b.has("use_activation") || b.get("use_activation").asBoolean(true);
        List<RewardRequest> reqs = new ArrayList<>(inputs.size());
        long tokens = 0;
        for (int[] ids : inputs) {
            Prompt p = split(ids);
            TokenIds completion = TokenIds.of(ids).slice(p.ids().length(), ids.length);
            String text = languageModel != null ? languageModel.decode(completion) : "";
            reqs.add(new RewardRequest(p, completion, text));
            tokens += ids.length;
        }
        List<Reward> rewards = rewardModel.score(reqs);
        ObjectNode r = JSON.createObjectNode();
        r.put("id", "classify-" + Long.toHexString(System.nanoTime()));
        r.put("object", "list");
        r.put("created", System.currentTimeMillis() / 1000);
        r.put("model", modelName);
        ArrayNode data = r.putArray("data");
        for (int i = 0; i < rewards.size(); i++) {
            double v = rewards.get(i).value();
            ObjectNode d = data.addObject();
            d.put("index", i);
            d.put("label", "LABEL_0");
            d.putArray("probs").add(activation ? 1 / (1 + Math.exp(-v)) : v);
            d.put("num_classes", 1);
        }
        ObjectNode usage = r.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        usage.put("completion_tokens", 0);
        usage.putNull("prompt_tokens_details");
        return r;
    }

    private ObjectNode tokenize(JsonNode b) {
        JsonNode messages = b.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequest("this test server tokenizes 'messages' only");
        }
        List<ChatMessage> ms = new ArrayList<>();
        for (JsonNode m : messages) {
            ms.add(new ChatMessage(m.path("role").asText("user"), m.path("content").asText("")));
        }
        Prompt p = languageModel.prompt(ms);
        ObjectNode r = JSON.createObjectNode();
        r.put("count", p.ids().length());
        r.put("max_model_len", 4096);
        ArrayNode t = r.putArray("tokens");
        p.ids().stream().forEach(t::add);
        r.putNull("token_strs");
        return r;
    }

    /** The longest known prompt the ids start with, else all ids as the prompt. */
    private Prompt split(int[] ids) {
        TokenIds all = TokenIds.of(ids);
        Prompt best = null;
        for (Prompt p : prompts) {
            if (all.startsWith(p.ids()) && (best == null || p.ids().length() > best.ids().length())) {
                best = p;
            }
        }
        return best != null ? best : new Prompt("", all);
    }

    private static int[] ids(JsonNode a, String field) {
        if (a == null || !a.isArray() || a.isEmpty()) {
            throw new BadRequest("'" + field + "' must be a non-empty list of token ids");
        }
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = a.get(i);
            if (!e.canConvertToInt() || e.intValue() < 0) {
                throw new BadRequest("'" + field + "[" + i + "]' is not a token id: " + e);
            }
            ids[i] = e.intValue();
        }
        return ids;
    }

    private static int intField(JsonNode b, String f, int dflt) {
        JsonNode n = b.get(f);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToInt()) {
            throw new BadRequest("'" + f + "' must be an integer");
        }
        return n.intValue();
    }

    private static JsonNode read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
            if (bytes.length > MAX_REQUEST_BYTES) {
                throw new BadRequest("request body larger than " + MAX_REQUEST_BYTES + " bytes");
            }
            try {
                JsonNode n = JSON.readTree(bytes);
                if (n == null || !n.isObject()) {
                    throw new BadRequest("request body is not a JSON object");
                }
                return n;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BadRequest("malformed JSON: " + e.getOriginalMessage());
            }
        }
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("error").put("message", message).put("type", type).put("code", status);
        sendJson(ex, status, r);
    }

    private static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A client error reported as HTTP 400. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /** Builder for {@link ModelServer}. */
    public static final class Builder {
        private LanguageModel languageModel;
        private RewardModel rewardModel;
        private String modelName = "qalign-test-model";
        private final List<Prompt> prompts = new ArrayList<>();
        private int port;
        private int threads = 4;
        private int maxBatch = 1;

        private Builder() {
        }

        /**
         * The policy served at {@code /v1/completions}.
         *
         * @param lm the model
         * @return this builder
         */
        public Builder languageModel(LanguageModel lm) {
            this.languageModel = lm;
            return this;
        }

        /**
         * The reward model served at {@code /classify}.
         *
         * @param rm the model
         * @return this builder
         */
        public Builder rewardModel(RewardModel rm) {
            this.rewardModel = rm;
            return this;
        }

        /**
         * The model name reported in responses.
         *
         * @param name the name
         * @return this builder
         */
        public Builder modelName(String name) {
            this.modelName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Prompts whose ids split incoming token ids into prompt and completion prefix.
         *
         * @param known the prompts
         * @return this builder
         */
        public Builder prompts(List<Prompt> known) {
            prompts.addAll(known);
            return this;
        }

        /**
         * The port (default 0: any free port).
         *
         * @param p the port
         * @return this builder
         */
        public Builder port(int p) {
            this.port = p;
            return this;
        }

        /**
         * Request threads (default 4).
         *
         * @param n the count, &gt;= 1
         * @return this builder
         */
        public Builder threads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + n);
            }
            this.threads = n;
            return this;
        }

        /**
         * Batches the completion requests of concurrent HTTP calls into one model call of up to {@code n} rows
         * (default 1: every HTTP request is its own model call, so results are bit-for-bit those of one-request
         * calls). Use with at least as many {@link #threads(int)} as concurrent calls.
         *
         * @param n rows per model call, &gt;= 1
         * @return this builder
         */
        public Builder maxBatch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxBatch must be >= 1, got " + n);
            }
            this.maxBatch = n;
            return this;
        }

        /**
         * Starts the server on the loopback interface.
         *
         * @return the running server (close it)
         */
        public ModelServer start() {
            if (languageModel == null && rewardModel == null) {
                throw new IllegalArgumentException("serve at least one model");
            }
            try {
                return new ModelServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the model server", e);
            }
        }
    }
}
