package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.TokenUsage;
import io.github.qalign.tokenizer.ChatCodec;
import io.github.qalign.tokenizer.HfChatCodec;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Bradley–Terry {@link RewardModel} served remotely; the reward is the RAW score-head logit at the last token.
 *
 * <ul>
 *   <li>vLLM (pooling runner, {@code LlamaForSequenceClassification}) and SGLang: {@code POST /classify}
 *       (SGLang: {@code /v1/classify}) with {@code input} = a list of id lists and {@code use_activation: false}
 *       (for one label vLLM applies a sigmoid otherwise, which squashes the reward into (0, 1) and changes the
 *       target); the reward is {@code data[i].probs[label]}. Servers that predate {@code use_activation} named the
 *       flag {@code activation}: {@link Builder#legacyActivationFlag(boolean)} sends that instead.</li>
 *   <li>llama.cpp ({@code llama-server --embeddings --pooling last}): {@code POST /embedding} with {@code content} =
 *       the ids and {@code embd_normalize: -1} returns the final hidden state of the last token, unnormalized; the
 *       reward is {@link ScoreHead#apply} of the checkpoint's {@code score.weight} row.</li>
 * </ul>
 *
 * <p>Input ids: with the reward model's own tokenizer ({@link Builder#tokenizer(Path)} or
 * {@link Builder#codec(ChatCodec)}), the prompt's conversation plus the completion text as the assistant's message,
 * rendered by its chat template (as {@code LlamaRewardModel} does in process); with {@link Builder#policyIds()},
 * {@code prompt.ids ++ completion} directly (only when the reward model shares the policy's tokenizer and format).
 * Requests are scored in chunks of {@link Builder#batchSize(int)} inputs per HTTP request, all chunks in flight at
 * once. Scores are validated (count, index, finite); usage counts every input token as computed.
 */
public final class RemoteRewardModel implements RewardModel, AutoCloseable {

    private static final AtomicInteger POOL = new AtomicInteger();

    private final Dialect dialect;
    private final String model;
    private final HttpJsonClient client;
    private final TextCodec codec;
    private final ScoreHead head;
    private final int label;
    private final int batchSize;
    private final boolean legacyActivation;
    private final String classifyPath;
    private final long parameterCount;
    private final ExecutorService executor;

    private RemoteRewardModel(Builder b) {
        this.dialect = b.dialect;
        this.model = b.model;
        this.client = new HttpJsonClient(b.fleet != null ? b.fleet : Fleet.of(b.endpoints, b.options), b.options);
        if (b.codec != null) {
            this.codec = new LocalTextCodec(b.codec, 0, false);
        } else if (b.tokenizerDir != null) {
            ModelFiles files = ModelFiles.read(b.tokenizerDir);
            this.codec = new LocalTextCodec(HfChatCodec.open(b.tokenizerDir, files.bosTokenId()), files.vocabSize(),
                    true);
        } else {
            this.codec = null;
        }
        this.head = b.head;
        this.label = b.label;
        this.batchSize = b.batchSize;
        this.legacyActivation = b.legacyActivation;
        this.classifyPath = b.classifyPath != null ? b.classifyPath
                : dialect == Dialect.SGLANG ? "/v1/classify" : "/classify";
        this.parameterCount = b.parameterCount;
        int id = POOL.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        this.executor = RemoteLanguageModel.boundedPool(client.fleet(), b.options, r -> {
            Thread t = new Thread(r, "qalign-remote-rm-" + id + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
     * The fleet (endpoint health and counters).
     *
     * @return the fleet
     */
    public Fleet fleet() {
        return client.fleet();
    }

    /**
     * The ids scored for a request.
     *
     * @param r the request
     * @return the ids
     */
    public int[] inputIds(RewardRequest r) {
        if (codec == null) {
            return r.prompt().ids().concat(r.completion()).toArray();
        }
        List<ChatMessage> conv = new ArrayList<>(r.prompt().messages());
        conv.add(ChatMessage.assistant(r.text()));
        return codec.encode(conv, false);
    }

    @Override
    public long parameterCount() {
        return parameterCount;
    }

    @Override
    public List<Reward> score(List<RewardRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests is empty");
        }
        List<int[]> inputs = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            int[] ids = inputIds(Objects.requireNonNull(requests.get(i), "request " + i));
            if (ids.length == 0) {
                throw new IllegalArgumentException("request " + i + ": reward input is empty");
            }
            inputs.add(ids);
        }
        int chunk = dialect == Dialect.LLAMA_CPP ? 1 : batchSize;
        List<Future<double[]>> futures = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        for (int from = 0; from < inputs.size(); from += chunk) {
            List<int[]> part = inputs.subList(from, Math.min(inputs.size(), from + chunk));
            String key = RemoteLanguageModel.affinity(requests.get(from).prompt().ids());
            starts.add(from);
            futures.add(executor.submit(() -> dialect == Dialect.LLAMA_CPP ? embed(key, part.get(0))
                    : classify(key, part)));
        }
        Reward[] out = new Reward[inputs.size()];
        RuntimeException failure = null;
        for (int c = 0; c < futures.size(); c++) {
            try {
                double[] v = futures.get(c).get();
                for (int j = 0; j < v.length; j++) {
                    int i = starts.get(c) + j;
                    out[i] = new Reward(v[j], new TokenUsage(inputs.get(i).length, 0, 0));
                }
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException("scoring failed", e.getCause());
                    futures.forEach(f -> f.cancel(true));
                }
            } catch (CancellationException e) {
                // after an earlier failure
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new RemoteException(fleet().members().get(0).base(), RemoteException.NO_STATUS, "", 1,
                        "interrupted while waiting for rewards", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return List.of(out);
    }

    private double[] classify(String key, List<int[]> part) {
        ObjectNode b = HttpJsonClient.JSON.createObjectNode();
        if (model != null) {
            b.put("model", model);
        }
        ArrayNode in = b.putArray("input");
        for (int[] ids : part) {
            ArrayNode a = in.addArray();
            for (int id : ids) {
                a.add(id);
            }
        }
        b.put(legacyActivation ? "activation" : "use_activation", false);
        b.put("add_special_tokens", false);
        int n = part.size();
        return client.post(key, classifyPath, b, true, root -> {
            JsonNode data = root.get("data");
            if (data == null || !data.isArray()) {
                throw new InvalidResponseException("'data' is missing or not an array");
            }
            if (data.size() != n) {
                throw new InvalidResponseException("expected " + n + " results in 'data', got " + data.size());
            }
            double[] v = new double[n];
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                JsonNode d = data.get(i);
                String where = "data[" + i + "]";
                if (d == null || !d.isObject()) {
                    throw new InvalidResponseException(where + " is not an object");
                }
                int index = d.has("index") ? CompletionProtocol.intIn(d.get("index"), 0, n - 1, where + ".index") : i;
                if (seen[index]) {
                    throw new InvalidResponseException(where + ".index " + index + " appears twice");
                }
                seen[index] = true;
                JsonNode probs = d.get("probs");
                if (probs == null || !probs.isArray() || probs.isEmpty()) {
                    throw new InvalidResponseException(where + ".probs is missing, not an array or empty");
                }
                if (d.has("num_classes") && (!d.get("num_classes").canConvertToInt()
                        || d.get("num_classes").intValue() != probs.size())) {
                    throw new InvalidResponseException(where + ".num_classes " + d.get("num_classes")
                            + " differs from the " + probs.size() + " values in probs");
                }
                if (label >= probs.size()) {
                    throw new InvalidResponseException(where + " has " + probs.size() + " classes, label " + label
                            + " was asked for");
                }
                v[index] = finite(probs.get(label), where + ".probs[" + label + "]");
            }
            return v;
        });
    }

    private double[] embed(String key, int[] ids) {
        ObjectNode b = HttpJsonClient.JSON.createObjectNode();
        ArrayNode a = b.putArray("content");
        for (int id : ids) {
            a.add(id);
        }
        b.put("embd_normalize", -1);
        return client.post(key, "/embedding", b, true, root -> {
            JsonNode r = root;
            if (r.isArray()) {
                if (r.size() != 1) {
                    throw new InvalidResponseException("expected one embedding result, got " + r.size());
                }
                r = r.get(0);
            }
            JsonNode e = r == null ? null : r.get("embedding");
            if (e == null || !e.isArray() || e.isEmpty()) {
                throw new InvalidResponseException("'embedding' is missing, not an array or empty");
            }
            if (e.get(0).isArray()) {
                if (e.size() != 1) {
                    throw new InvalidResponseException("'embedding' holds " + e.size() + " vectors; the server must "
                            + "pool (run llama-server with --embeddings --pooling last)");
                }
                e = e.get(0);
            }
            if (e.size() != head.hiddenSize()) {
                throw new InvalidResponseException("'embedding' has " + e.size() + " values, the score head "
                        + head.hiddenSize() + " (wrong model or pooling?)");
            }
            double[] h = new double[e.size()];
            for (int i = 0; i < h.length; i++) {
                h[i] = finite(e.get(i), "embedding[" + i + "]");
            }
            double s = head.apply(h);
            if (!Double.isFinite(s)) {
                throw new InvalidResponseException("score head over the embedding gives " + s);
            }
            return new double[] {s};
        });
    }

    private static double finite(JsonNode n, String where) {
        if (n == null || !n.isNumber()) {
            throw new InvalidResponseException("'" + where + "' must be a number, got " + n);
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v)) {
            throw new InvalidResponseException("'" + where + "' is " + v);
        }
        return v;
    }

    /** Stops the request threads and closes a tokenizer this model opened. */
    @Override
    public void close() {
        executor.shutdownNow();
        if (codec != null) {
            codec.close();
        }
    }

    /** Builder for {@link RemoteRewardModel}. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private Fleet fleet;
        private Dialect dialect = Dialect.VLLM;
        private String model;
        private ChatCodec codec;
        private Path tokenizerDir;
        private boolean policyIds;
        private ScoreHead head;
        private int label;
        private int batchSize = 32;
        private boolean legacyActivation;
        private String classifyPath;
        private RemoteOptions options = RemoteOptions.defaults();
        private long parameterCount;

        private Builder() {
        }

        /**
         * Adds an endpoint (base URL; a trailing {@code /v1} is ignored).
         *
         * @param url the base URL
         * @return this builder
         */
        public Builder endpoint(String url) {
            endpoints.add(URI.create(Objects.requireNonNull(url, "url")));
            return this;
        }

        /**
         * Adds endpoints.
         *
         * @param urls base URLs
         * @return this builder
         */
        public Builder endpoints(List<URI> urls) {
            endpoints.addAll(urls);
            return this;
        }

        /**
         * Uses an existing fleet instead of endpoints.
         *
         * @param f the fleet
         * @return this builder
         */
        public Builder fleet(Fleet f) {
            this.fleet = f;
            return this;
        }

        /**
         * The server kind (default {@link Dialect#VLLM}).
         *
         * @param d the dialect
         * @return this builder
         */
        public Builder dialect(Dialect d) {
            this.dialect = Objects.requireNonNull(d, "dialect");
            return this;
        }

        /**
         * The served model name sent as {@code model} (optional).
         *
         * @param name the name
         * @return this builder
         */
        public Builder model(String name) {
            this.model = name;
            return this;
        }

        /**
         * The reward model's own tokenizer as a caller-owned codec.
         *
         * @param c the codec
         * @return this builder
         */
        public Builder codec(ChatCodec c) {
            this.codec = c;
            return this;
        }

        /**
         * The reward model's own tokenizer files (a checkpoint folder or just its tokenizer files).
         *
         * @param dir the folder
         * @return this builder
         */
        public Builder tokenizer(Path dir) {
            this.tokenizerDir = dir;
            return this;
        }

        /**
         * Scores {@code prompt.ids ++ completion} directly: only when the reward model shares the policy's tokenizer
         * and prompt format.
         *
         * @return this builder
         */
        public Builder policyIds() {
            this.policyIds = true;
            return this;
        }

        /**
         * The score head for servers that return hidden states (llama.cpp).
         *
         * @param h the head
         * @return this builder
         */
        public Builder scoreHead(ScoreHead h) {
            this.head = h;
            return this;
        }

        /**
         * Which label's score is the reward (default 0, the only one of a Bradley–Terry model).
         *
         * @param l the label index, &gt;= 0
         * @return this builder
         */
        public Builder label(int l) {
            if (l < 0) {
                throw new IllegalArgumentException("label must be >= 0, got " + l);
            }
            this.label = l;
            return this;
        }

        /**
         * Inputs per {@code /classify} request (default 32).
         *
         * @param n the chunk size, &gt;= 1
         * @return this builder
         */
        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /**
         * Sends the older vLLM flag {@code activation: false} instead of {@code use_activation: false}.
         *
         * @param on whether to use the legacy name
         * @return this builder
         */
        public Builder legacyActivationFlag(boolean on) {
            this.legacyActivation = on;
            return this;
        }

        /**
         * Overrides the classify path (default {@code /classify}, SGLang {@code /v1/classify}).
         *
         * @param path an absolute path
         * @return this builder
         */
        public Builder classifyPath(String path) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("classify path must start with '/', got " + path);
            }
            this.classifyPath = path;
            return this;
        }

        /**
         * Networking options.
         *
         * @param o the options
         * @return this builder
         */
        public Builder options(RemoteOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /**
         * The parameter count for FLOPs estimates (default 0 = unknown).
         *
         * @param n the count
         * @return this builder
         */
        public Builder parameterCount(long n) {
            this.parameterCount = n;
            return this;
        }

        /**
         * The reward model.
         *
         * @return the model (close it)
         * @throws IllegalArgumentException naming a missing or contradictory setting
         */
        public RemoteRewardModel build() {
            if (fleet == null && endpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint is needed");
            }
            int inputs = (codec != null ? 1 : 0) + (tokenizerDir != null ? 1 : 0) + (policyIds ? 1 : 0);
            if (inputs != 1) {
                throw new IllegalArgumentException("choose exactly one input rendering: codec, tokenizer folder, or "
                        + "policyIds(); got " + inputs);
            }
            if (dialect == Dialect.LLAMA_CPP && head == null) {
                throw new IllegalArgumentException("llama.cpp returns hidden states: a score head (the reward "
                        + "checkpoint's score.weight, ScoreHead.read) is required");
            }
            if (dialect != Dialect.LLAMA_CPP && head != null) {
                throw new IllegalArgumentException("a score head is only used with llama.cpp; " + dialect
                        + " returns the score itself");
            }
            return new RemoteRewardModel(this);
        }
    }
}
