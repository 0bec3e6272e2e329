package io.github.qalign.testing;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * A tiny, exactly enumerable language model for tests.
 *
 * <p>Vocabulary: symbols {@code 0 .. symbols-1} (decoded as {@code 'a', 'b', ...}) and the end-of-sequence id
 * {@link #eosId()} {@code = symbols} (not rendered by {@link #decode(TokenIds)}). The next-token distribution depends
 * on the prompt, the position and the previous token: its logits are a seeded table
 * {@code logitScale * N(0,1) (+ eosBias for EOS)}, then temperature, top-k and top-p of the {@link SamplingConfig}
 * are applied, so the sampled distribution is exactly the one {@link #distribution(Prompt, TokenIds, SamplingConfig)}
 * enumerates. Generation stops on EOS (kept as the last id, {@link FinishReason#EOS}) or when the TOTAL completion
 * length reaches {@link SamplingConfig#maxCompletionTokens()} ({@link FinishReason#LENGTH}).
 *
 * <p>Each {@code generate} request draws one {@code nextDouble()} per generated token from its own stream (none at
 * temperature 0, which is greedy: the argmax of the logits, the lowest id on ties, with a point-mass distribution). Usage: the
 * prompt and prefix count as computed input (no cache), the continuation as generated tokens. The model counts its
 * batch calls ({@link #generateCalls()}) and requests ({@link #generateRequests()}). Thread-safe.
 */
public final class ToyLanguageModel implements LanguageModel {

    private static final int ENUMERATION_LIMIT = 2_000_000;

    private final int symbols;
    private final long seed;
    private final double logitScale;
    private final double eosBias;
    private final long parameterCount;
    private final Map<Long, double[]> logitCache = new ConcurrentHashMap<>();
    private final Map<SamplingConfig, Map<Long, double[]>> probabilityCache = new ConcurrentHashMap<>();
    private final AtomicLong generateCalls = new AtomicLong();
    private final AtomicLong generateRequests = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();

    private ToyLanguageModel(Builder b) {
        this.symbols = b.symbols;
        this.seed = b.seed;
        this.logitScale = b.logitScale;
        this.eosBias = b.eosBias;
        this.parameterCount = b.parameterCount;
    }

    /**
     * A builder; defaults: 3 symbols, seed 1, logit scale 1.0, EOS bias 0, parameter count 0.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Number of non-EOS symbols.
     *
     * @return number of non-EOS symbols
     */
    public int symbols() {
        return symbols;
    }

    /**
     * The end-of-sequence id ({@code == symbols()}).
     *
     * @return the end-of-sequence id ({@code == symbols()})
     */
    public int eosId() {
        return symbols;
    }

    /**
     * Number of {@code generate} batch calls so far.
     *
     * @return number of {@code generate} batch calls so far
     */
    public long generateCalls() {
        return generateCalls.get();
    }

    /**
     * Number of requests over all {@code generate} calls so far.
     *
     * @return number of requests over all {@code generate} calls so far
     */
    public long generateRequests() {
        return generateRequests.get();
    }

    /**
     * Number of tokens generated so far.
     *
     * @return number of tokens generated so far
     */
    public long generatedTokens() {
        return generatedTokens.get();
    }

    /** Resets the call counters. */
    public void resetCounters() {
        generateCalls.set(0);
        generateRequests.set(0);
        generatedTokens.set(0);
    }

    @Override
    public Prompt prompt(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("prompt text must not be empty");
        }
        return new Prompt(text, TokenIds.of(text.codePoints().toArray()));
    }

    @Override
    public String decode(TokenIds completion) {
        Objects.requireNonNull(completion, "completion");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < completion.length(); i++) {
            int id = completion.get(i);
            if (id >= 0 && id < symbols) {
                sb.append((char) ('a' + id));
            } else if (id != symbols) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + symbols + "]");
            }
        }
        return sb.toString();
    }

    @Override
    public long parameterCount() {
        return parameterCount;
    }

    @Override
    public List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(config, "config");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests must not be empty");
        }
        generateCalls.incrementAndGet();
        generateRequests.addAndGet(requests.size());
        int cap = config.maxCompletionTokens();
        List<Generation> out = new ArrayList<>(requests.size());
        for (GenerationRequest r : requests) {
            checkPrefix(r.prefix(), cap);
            RandomGenerator rng = r.newRandom();
            int[] buf = Arrays.copyOf(r.prefix().toArray(), cap);
            int len = r.prefix().length();
            FinishReason reason = FinishReason.LENGTH;
            while (len < cap) {
                double[] p = probabilities(r.prompt(), len, len == 0 ? -1 : buf[len - 1], config);
                int tok = config.isGreedy() ? draw(p, 0.0) : draw(p, rng.nextDouble());
                buf[len++] = tok;
                if (tok == symbols) {
                    reason = FinishReason.EOS;
                    break;
                }
            }
            TokenIds completion = TokenIds.of(buf, 0, len);
            int generated = len - r.prefix().length();
            generatedTokens.addAndGet(generated);
            TokenUsage usage = new TokenUsage(r.prompt().ids().length() + r.prefix().length(), 0, generated);
            out.add(new Generation(completion, r.prefix().length(), decode(completion), reason, usage));
        }
        return out;
    }

    /**
     * The exact next-token distribution after {@code prompt + prefix} under {@code config} (length
     * {@code symbols() + 1}; index {@link #eosId()} is EOS).
     *
     * @param prompt the prompt
     * @param prefix the completion prefix
     * @param config the sampling configuration
     * @return a new array of {@code symbols() + 1} probabilities, EOS last
     */
    public double[] nextTokenProbabilities(Prompt prompt, TokenIds prefix, SamplingConfig config) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(config, "config");
        checkPrefix(prefix, Integer.MAX_VALUE);
        int n = prefix.length();
        return probabilities(prompt, n, n == 0 ? -1 : prefix.get(n - 1), config).clone();
    }

    /**
     * The exact distribution {@code p_LM(y | x)} over full completions under {@code config}.
     *
     * @param prompt the prompt
     * @param config the sampling configuration
     * @return the exact distribution {@code p_LM(y | x)} over full completions under {@code config}
     */
    public Map<TokenIds, Double> distribution(Prompt prompt, SamplingConfig config) {
        return distribution(prompt, TokenIds.empty(), config);
    }

    /**
     * The exact distribution of the full completion {@code y = prefix + continuation} when the model continues
     * {@code prefix}: {@code p_LM(y | x, prefix)}, over sequences ending in EOS or reaching the cap. Insertion order
     * is depth-first, symbols before EOS.
     *
     * @throws IllegalArgumentException if the support would exceed 2,000,000 sequences
     * @param prompt the prompt
     * @param prefix the completion prefix
     * @param config the sampling configuration
     * @return the probability of every reachable full completion, unmodifiable
     */
    public Map<TokenIds, Double> distribution(Prompt prompt, TokenIds prefix, SamplingConfig config) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(config, "config");
        int cap = config.maxCompletionTokens();
        checkPrefix(prefix, cap);
        double bound = 0;
        double pow = 1;
        for (int k = prefix.length(); k <= cap; k++) {
            bound += pow;
            pow *= symbols;
        }
        if (bound > ENUMERATION_LIMIT) {
            throw new IllegalArgumentException("support too large to enumerate: symbols=" + symbols
                    + ", maxCompletionTokens=" + cap);
        }
        Map<TokenIds, Double> out = new LinkedHashMap<>();
        int[] buf = Arrays.copyOf(prefix.toArray(), cap);
        enumerate(prompt, config, buf, prefix.length(), 1.0, out);
        return Collections.unmodifiableMap(out);
    }

    private void enumerate(Prompt prompt, SamplingConfig config, int[] buf, int len, double prob,
                           Map<TokenIds, Double> out) {
        if (len == buf.length) {
            out.put(TokenIds.of(buf, 0, len), prob);
            return;
        }
        double[] p = probabilities(prompt, len, len == 0 ? -1 : buf[len - 1], config);
        for (int tok = 0; tok <= symbols; tok++) {
            if (p[tok] == 0) {
                continue;
            }
            buf[len] = tok;
            if (tok == symbols) {
                out.put(TokenIds.of(buf, 0, len + 1), prob * p[tok]);
            } else {
                enumerate(prompt, config, buf, len + 1, prob * p[tok], out);
            }
        }
    }

    private void checkPrefix(TokenIds prefix, int cap) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.length() > cap) {
            throw new IllegalArgumentException("prefix length " + prefix.length() + " exceeds maxCompletionTokens "
                    + cap);
        }
        for (int i = 0; i < prefix.length(); i++) {
            int id = prefix.get(i);
            if (id < 0 || id >= symbols) {
                throw new IllegalArgumentException("prefix id " + id + " at position " + i
                        + " is not a symbol in [0, " + symbols + ") (EOS cannot be continued)");
            }
        }
    }

    private double[] probabilities(Prompt prompt, int position, int previous, SamplingConfig config) {
        long key = key(prompt, position, previous);
        Map<Long, double[]> cache = probabilityCache.get(config);
        if (cache == null) {
            if (probabilityCache.size() > 64) {
                probabilityCache.clear();
            }
            cache = probabilityCache.computeIfAbsent(config, c -> new ConcurrentHashMap<>());
        }
        double[] cached = cache.get(key);
        if (cached == null) {
            cached = computeProbabilities(logits(key), config);
            cache.put(key, cached);
        }
        return cached;
    }

    private double[] computeProbabilities(double[] logits, SamplingConfig config) {
        int v = logits.length;
        if (config.isGreedy()) {
            double[] one = new double[v];
            one[SamplingConfig.argmax(logits)] = 1.0;
            return one;
        }
        double t = config.temperature();
        double[] z = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            z[i] = logits[i] / t;
            max = Math.max(max, z[i]);
        }
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < v; i++) {
            p[i] /= sum;
        }
        return config.truncate(p);
    }

    private long key(Prompt prompt, int position, int previous) {
        return mix(mix(mix(seed ^ 0x9E3779B97F4A7C15L, prompt.ids().hashCode()), position), previous + 2L);
    }

    private double[] logits(long key) {
        return logitCache.computeIfAbsent(key, k -> {
            SplittableRandom r = new SplittableRandom(k);
            double[] l = new double[symbols + 1];
            for (int i = 0; i <= symbols; i++) {
                l[i] = logitScale * r.nextGaussian();
            }
            l[symbols] += eosBias;
            return l;
        });
    }

    private int draw(double[] p, double u) {
        double cum = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cum += p[i];
                last = i;
                if (u < cum) {
                    return i;
                }
            }
        }
        return last;
    }

    static long mix(long h, long v) {
        long z = h + 0x9E3779B97F4A7C15L * (v + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Builder of {@link ToyLanguageModel}. */
    public static final class Builder {
        private int symbols = 3;
        private long seed = 1;
        private double logitScale = 1.0;
        private double eosBias = 0.0;
        private long parameterCount = 0;

        private Builder() {
        }

        /**
         * Number of non-EOS symbols, in [1, 26] (default 3).
         *
         * @param symbols number of non-EOS symbols, in [1, 26] (default 3)
         * @return this builder
         */
        public Builder symbols(int symbols) {
            this.symbols = symbols;
            return this;
        }

        /**
         * Seed of the logit table (default 1).
         *
         * @param seed seed of the logit table (default 1)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Standard deviation of the logits, finite and &gt;= 0 (default 1).
         *
         * @param scale standard deviation of the logits, finite and &gt;= 0 (default 1)
         * @return this builder
         */
        public Builder logitScale(double scale) {
            this.logitScale = scale;
            return this;
        }

        /**
         * Added to every EOS logit, finite (default 0); larger means shorter completions.
         *
         * @param bias added to every EOS logit, finite (default 0); larger means shorter completions
         * @return this builder
         */
        public Builder eosBias(double bias) {
            this.eosBias = bias;
            return this;
        }

        /**
         * The reported parameter count, &gt;= 0 (default 0).
         *
         * @param n the reported parameter count, &gt;= 0 (default 0)
         * @return this builder
         */
        public Builder parameterCount(long n) {
            this.parameterCount = n;
            return this;
        }

        /**
         * The model; throws {@link IllegalArgumentException} naming a bad parameter.
         *
         * @return the model
         */
        public ToyLanguageModel build() {
            if (symbols < 1 || symbols > 26) {
                throw new IllegalArgumentException("symbols must be in [1, 26], got " + symbols);
            }
            if (!(logitScale >= 0) || Double.isInfinite(logitScale)) {
                throw new IllegalArgumentException("logitScale must be finite and >= 0, got " + logitScale);
            }
            if (!Double.isFinite(eosBias)) {
                throw new IllegalArgumentException("eosBias must be finite, got " + eosBias);
            }
            if (parameterCount < 0) {
                throw new IllegalArgumentException("parameterCount must be >= 0, got " + parameterCount);
            }
            return new ToyLanguageModel(this);
        }
    }
}
