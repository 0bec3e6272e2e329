package io.github.qalign.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import io.github.qalign.tokenizer.ChatCodec;
import io.github.qalign.tokenizer.HfChatCodec;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LanguageModel} served by vLLM, SGLang or llama.cpp (one endpoint or a {@link Fleet}).
 *
 * <p>Each {@link GenerationRequest} becomes one HTTP request whose prompt is the TOKEN IDS {@code prompt.ids ++
 * prefix} (never text: a text round trip would drop special tokens and shift lengths), with
 * {@code max_tokens = cap - |prefix|}, the model's EOS ids as stop ids, every sampling knob explicit (temperature,
 * top-p, top-k; min-p and penalties off — servers otherwise apply the checkpoint's own defaults), and the request's
 * own {@link GenerationRequest#seed()} as the server's per-request seed. All requests of a batch are in flight at once
 * (the server batches them continuously), spread over the fleet; the requests of one prompt prefer one endpoint so its
 * prefix cache serves the prompt and the kept prefix of QAlign proposals.
 *
 * <p>Responses are validated: continuation ids within the vocabulary, exactly the requested number of choices, a
 * known finish reason, the EOS id at the end only, no more tokens than asked, usage counts non-negative. The
 * continuation ends with the EOS id when the server stopped on one (appended when the server reports the stop but
 * leaves the id out). Usage: prompt tokens served from the server's prefix cache are
 * {@link TokenUsage#reusedInputTokens()}, the rest computed, continuation tokens generated.
 *
 * <p>Fresh samples with {@link Builder#useN(boolean)} on a vLLM server: requests of one prompt with an empty prefix
 * whose seeds are consecutive ({@code s, s+1, ..., s+n-1}, in request order) go as ONE request with {@code n} and
 * seed {@code s}; vLLM seeds its {@code i}-th child with {@code s + i}, so every sample is exactly the one its own
 * request would give. Other requests go one by one, so {@code n} never changes results.
 *
 * <p>Thread-safe; close it to stop its request threads (and the tokenizer it opened).
 */
public final class RemoteLanguageModel implements LanguageModel, AutoCloseable {

    private static final AtomicInteger POOL = new AtomicInteger();

    private final Dialect dialect;
    private final String model;
    private final HttpJsonClient client;
    private final TextCodec codec;
    private final int[] eosIds;
    private final int vocabSize;
    private final boolean useN;
    private final long parameterCount;
    private final ExecutorService executor;

    private RemoteLanguageModel(Builder b) {
        this.dialect = b.dialect;
        this.model = b.model;
        this.client = new HttpJsonClient(b.fleet(), b.options);
        int[] eos = b.eosIds;
        int vocab = b.vocabSize;
        TextCodec c;
        if (b.codec != null) {
            c = new LocalTextCodec(b.codec, vocab, false);
        } else if (b.tokenizerDir != null) {
            ModelFiles files = ModelFiles.read(b.tokenizerDir);
            if (eos == null) {
                eos = files.eosTokenIds();
            }
            if (vocab == 0) {
                vocab = files.vocabSize();
            }
            c = new LocalTextCodec(HfChatCodec.open(b.tokenizerDir, files.bosTokenId()), vocab, true);
        } else {
            c = new ServerTextCodec(client, b.dialect, b.model, vocab, eos == null ? new int[0] : eos);
        }
        if (vocab == 0) {
            vocab = c.vocabSize();
        }
        this.codec = c;
        this.eosIds = eos == null ? new int[0] : eos.clone();
        this.vocabSize = vocab;
        for (int id : eosIds) {
            if (vocabSize > 0 && id >= vocabSize) {
                c.close();
                throw new IllegalArgumentException("EOS id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        if (eosIds.length == 0 && dialect == Dialect.LLAMA_CPP) {
            c.close();
            throw new IllegalArgumentException("llama.cpp needs the model's EOS ids (give the checkpoint folder or "
                    + "eosTokenIds): its /completion reports a stop on EOS without the id");
        }
        this.useN = b.useN && dialect == Dialect.VLLM;
        this.parameterCount = b.parameterCount;
        int id = POOL.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "qalign-remote-lm-" + id + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = boundedPool(client.fleet(), b.options, tf);
    }

    /** At most as many request threads as the fleet admits requests in flight; idle threads end after 30 s. */
    static ExecutorService boundedPool(Fleet fleet, RemoteOptions options, ThreadFactory tf) {
        int n = (int) Math.min(1024, (long) fleet.members().size() * options.maxConcurrentPerEndpoint());
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(n, n, 30,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), tf);
        pool.allowCoreThreadTimeOut(true);
        return pool;
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
     * The EOS ids sent as stop ids.
     *
     * @return a copy of the EOS ids
     */
    public int[] eosTokenIds() {
        return eosIds.clone();
    }

    /**
     * The vocabulary size used to validate ids, or 0 when unknown.
     *
     * @return the vocabulary size, or 0
     */
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public Prompt prompt(String text) {
        Objects.requireNonNull(text, "text");
        return new Prompt(text, TokenIds.of(codec.encode(List.of(ChatMessage.user(text)), true)));
    }

    @Override
    public Prompt prompt(List<ChatMessage> messages) {
        Prompt.checkMessages(messages);
        return Prompt.ofMessages(messages, TokenIds.of(codec.encode(messages, true)));
    }

    @Override
    public String decode(TokenIds completion) {
        return codec.decode(completion.toArray());
    }

    @Override
    public long parameterCount() {
        return parameterCount;
    }

    /** A completion's text as the tokenizer decodes it after its prompt (a leading space is kept). */
    private String text(Prompt prompt, TokenIds completion) {
        return codec.decodeContinuation(prompt.ids().toArray(), completion.toArray());
    }

    @Override
    public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(config, "config");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests is empty");
        }
        int cap = config.maxCompletionTokens();
        Generation[] out = new Generation[requests.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            GenerationRequest r = Objects.requireNonNull(requests.get(i), "request " + i);
            int k = r.prefix().length();
            if (k > cap) {
                throw new IllegalArgumentException("request " + i + ": prefix of " + k
                        + " tokens exceeds maxCompletionTokens " + cap);
            }
            if (k == cap) {
                out[i] = new Generation(r.prefix(), k, text(r.prompt(), r.prefix()), FinishReason.LENGTH,
                        TokenUsage.ZERO);
            } else {
                todo.add(i);
            }
        }
        List<int[]> calls = group(requests, todo);
        List<Future<List<Generation>>> futures = new ArrayList<>(calls.size());
        for (int[] call : calls) {
            futures.add(executor.submit(() -> call(requests, call, config)));
        }
        RuntimeException failure = null;
        for (int c = 0; c < calls.size(); c++) {
            try {
                List<Generation> gs = futures.get(c).get();
                for (int j = 0; j < calls.get(c).length; j++) {
                    out[calls.get(c)[j]] = gs.get(j);
                }
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new RemoteException(fleet().members().get(0).base(), RemoteException.NO_STATUS, "", 1,
                            "request failed", e.getCause());
                    futures.forEach(f -> f.cancel(true));
                }
            } catch (CancellationException e) {
                // cancelled after an earlier failure
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new RemoteException(fleet().members().get(0).base(), RemoteException.NO_STATUS, "", 1,
                        "interrupted while waiting for the batch", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return List.of(out);
    }

    /** Groups request indices into calls: singletons, or (vLLM with useN) runs of fresh requests with seeds s, s+1... */
    private List<int[]> group(List<GenerationRequest> requests, List<Integer> todo) {
        List<int[]> calls = new ArrayList<>();
        if (!useN) {
            for (int i : todo) {
                calls.add(new int[] {i});
            }
            return calls;
        }
        Map<TokenIds, List<Integer>> fresh = new LinkedHashMap<>();
        for (int i : todo) {
            GenerationRequest r = requests.get(i);
            if (r.prefix().isEmpty()) {
                fresh.computeIfAbsent(r.prompt().ids(), x -> new ArrayList<>()).add(i);
            } else {
                calls.add(new int[] {i});
            }
        }
        for (List<Integer> same : fresh.values()) {
            int start = 0;
            while (start < same.size()) {
                int end = start + 1;
                long s0 = requests.get(same.get(start)).seed();
                while (end < same.size() && requests.get(same.get(end)).seed() == s0 + (end - start)) {
                    end++;
                }
                calls.add(same.subList(start, end).stream().mapToInt(Integer::intValue).toArray());
                start = end;
            }
        }
        return calls;
    }

    private List<Generation> call(List<GenerationRequest> requests, int[] rows, SamplingConfig config) {
        GenerationRequest r = requests.get(rows[0]);
        int cap = config.maxCompletionTokens();
        int k = r.prefix().length();
        int room = cap - k;
        int[] input = r.prompt().ids().concat(r.prefix()).toArray();
        for (int id : input) {
            if (id < 0 || (vocabSize > 0 && id >= vocabSize)) {
                throw new IllegalArgumentException("input id " + id + " is outside the vocabulary [0, " + vocabSize
                        + ")");
            }
        }
        int n = rows.length;
        ObjectNode body = CompletionProtocol.body(dialect, model, input, room, r.seed(), n, config, eosIds);
        List<Parsed> parsed = client.post(affinity(r.prompt().ids()), CompletionProtocol.path(dialect), body,
                true, root -> {
                    List<CompletionProtocol.Choice> choices = CompletionProtocol.parse(dialect, root, n, vocabSize);
                    List<Parsed> l = new ArrayList<>(n);
                    for (int j = 0; j < n; j++) {
                        l.add(normalize(choices.get(j), room, input.length, "choices[" + j + "]"));
                    }
                    return l;
                });
        List<Generation> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            GenerationRequest rj = requests.get(rows[j]);
            TokenIds cont = parsed.get(j).continuation();
            TokenIds completion = rj.prefix().concat(cont);
            FinishReason reason = parsed.get(j).eos() ? FinishReason.EOS : FinishReason.LENGTH;
            TokenUsage u = parsed.get(j).usage();
            if (j > 0) {
                // the n children share one prompt: the server computes it once
                u = new TokenUsage(0, input.length, u.generatedTokens());
            }
            out.add(new Generation(completion, k, text(rj.prompt(), completion), reason, u));
        }
        return out;
    }

    /** A validated choice. */
    private record Parsed(TokenIds continuation, TokenUsage usage, boolean eos) {
    }

    /** Validates one choice: ids, EOS placement, budget, usage. */
    private Parsed normalize(CompletionProtocol.Choice c, int room, int sent, String where) {
        int[] ids = c.ids();
        if (ids.length > room) {
            if (dialect != Dialect.LLAMA_CPP) {
                throw new InvalidResponseException(where + ": " + ids.length + " tokens returned, at most " + room
                        + " were asked for");
            }
            // llama.cpp documents that n_predict may be exceeded slightly on a partial multibyte character
            ids = Arrays.copyOf(ids, room);
        }
        for (int i = 0; i < ids.length - 1; i++) {
            if (isEos(ids[i])) {
                if (dialect == Dialect.LLAMA_CPP) {
                    // llama.cpp stops only on the EOG ids of its GGUF and takes no stop ids: a checkpoint whose
                    // generation_config lists more (stories260K: [2, 1]) continues past them. The tokens up to the
                    // first of our EOS ids are exactly a sample that stops there; the rest is discarded.
                    ids = Arrays.copyOf(ids, i + 1);
                    break;
                }
                throw new InvalidResponseException(where + ": EOS id " + ids[i] + " at position " + i + " of "
                        + ids.length + " (generation must stop at EOS)");
            }
        }
        boolean endsOnEos = ids.length > 0 && isEos(ids[ids.length - 1]);
        if (!endsOnEos && c.stop() == CompletionProtocol.Stop.EOS && ids.length == c.ids().length) {
            int id = c.matchedStopId() >= 0 ? c.matchedStopId() : (eosIds.length > 0 ? eosIds[0] : -1);
            if (id >= 0 && eosIds.length > 0 && !isEos(id)) {
                throw new InvalidResponseException(where + ": stopped on token " + id + ", which is not an EOS id "
                        + Arrays.toString(eosIds));
            }
            if (id >= 0 && eosIds.length > 0) {
                if (ids.length >= room) {
                    throw new InvalidResponseException(where + ": stopped on EOS after " + ids.length
                            + " tokens, but the budget was " + room);
                }
                ids = Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = id;
                endsOnEos = true;
            } else if (eosIds.length == 0 && ids.length > 0) {
                endsOnEos = true; // EOS ids unknown: trust the server's stop, its last id is the EOS
            }
        }
        if (!endsOnEos && ids.length != room) {
            throw new InvalidResponseException(where + ": stopped by length after " + ids.length + " of " + room
                    + " tokens (is the prompt near the server's context limit?)");
        }
        if (ids.length == 0) {
            throw new InvalidResponseException(where + ": empty continuation");
        }
        if (dialect != Dialect.LLAMA_CPP && c.promptTokens() >= 0 && c.promptTokens() != sent) {
            throw new InvalidResponseException(where + ": usage counts " + c.promptTokens() + " prompt tokens, but "
                    + sent + " ids were sent (did the server add or drop tokens?)");
        }
        long reused;
        if (c.computedPrompt() >= 0) {
            reused = sent - Math.min(sent, c.computedPrompt());
        } else if (c.cachedTokens() >= 0) {
            reused = Math.min(sent, c.cachedTokens());
        } else {
            reused = 0;
        }
        // generated: what the server sampled, including tokens past our EOS that llama.cpp produced and we dropped
        long generated = Math.max(ids.length, c.ids().length);
        return new Parsed(TokenIds.of(ids), new TokenUsage(sent - reused, reused, generated), endsOnEos);
    }

    private boolean isEos(int id) {
        for (int e : eosIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    static String affinity(TokenIds promptIds) {
        return promptIds.length() + ":" + Integer.toHexString(promptIds.hashCode());
    }

    /** Stops the request threads and closes a tokenizer this model opened. */
    @Override
    public void close() {
        executor.shutdownNow();
        codec.close();
    }

    /** Builder for {@link RemoteLanguageModel}. */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private Fleet fleet;
        private Dialect dialect = Dialect.VLLM;
        private String model;
        private ChatCodec codec;
        private Path tokenizerDir;
        private int[] eosIds;
        private int vocabSize;
        private RemoteOptions options = RemoteOptions.defaults();
        private boolean useN;
        private long parameterCount;

        private Builder() {
        }

        /**
         * Adds an endpoint: the server's base URL ({@code http://host:8000}; a trailing {@code /v1} is ignored).
         * Several endpoints serving the same model form a fleet.
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
         * Uses an existing fleet (shared health state) instead of endpoints; its concurrency and probe settings win.
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
         * The served model name sent as {@code model} (vLLM's {@code --served-model-name}, by default the model
         * path); optional for servers serving one model.
         *
         * @param name the name
         * @return this builder
         */
        public Builder model(String name) {
            this.model = name;
            return this;
        }

        /**
         * Local tokenization with a codec the caller owns (not closed by the model).
         *
         * @param c the codec
         * @return this builder
         */
        public Builder codec(ChatCodec c) {
            this.codec = c;
            return this;
        }

        /**
         * Local tokenization from a checkpoint folder or a folder of its tokenizer files ({@code tokenizer.json},
         * {@code tokenizer_config.json}; {@code config.json} and {@code generation_config.json} when present supply
         * the BOS and EOS ids and the vocabulary size). Without a codec or a folder the server tokenizes.
         *
         * @param dir the folder
         * @return this builder
         */
        public Builder tokenizer(Path dir) {
            this.tokenizerDir = dir;
            return this;
        }

        /**
         * The EOS ids (default: from the tokenizer folder's config files).
         *
         * @param ids the ids
         * @return this builder
         */
        public Builder eosTokenIds(int... ids) {
            this.eosIds = ids.clone();
            return this;
        }

        /**
         * The vocabulary size, for validating ids (default: from {@code config.json} or the tokenizer).
         *
         * @param n the size, &gt;= 0 (0 = unknown)
         * @return this builder
         */
        public Builder vocabSize(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("vocabSize must be >= 0, got " + n);
            }
            this.vocabSize = n;
            return this;
        }

        /**
         * Networking options (default {@link RemoteOptions#defaults()}).
         *
         * @param o the options
         * @return this builder
         */
        public Builder options(RemoteOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /**
         * Whether fresh samples of one prompt with consecutive seeds go as one {@code n} request (vLLM only;
         * default false). See the class description.
         *
         * @param on whether to use {@code n}
         * @return this builder
         */
        public Builder useN(boolean on) {
            this.useN = on;
            return this;
        }

        /**
         * The model's parameter count, for FLOPs estimates (default 0 = unknown).
         *
         * @param n the count
         * @return this builder
         */
        public Builder parameterCount(long n) {
            this.parameterCount = n;
            return this;
        }

        private Fleet fleet() {
            if (fleet != null) {
                return fleet;
            }
            return Fleet.of(endpoints, options);
        }

        /**
         * The model.
         *
         * @return the model (close it)
         * @throws IllegalArgumentException naming a bad or missing setting
         */
        public RemoteLanguageModel build() {
            if (fleet == null && endpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint is needed");
            }
            if (codec != null && tokenizerDir != null) {
                throw new IllegalArgumentException("give either a codec or a tokenizer folder, not both");
            }
            return new RemoteLanguageModel(this);
        }
    }
}
