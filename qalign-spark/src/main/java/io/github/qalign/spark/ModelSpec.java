package io.github.qalign.spark;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.remote.Dialect;
import io.github.qalign.remote.ServedModels;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which models a job's tasks open: a small serializable description shipped to every executor, which opens the
 * models once per JVM ({@link ModelCache}).
 *
 * @param kind                what to open
 * @param policyDir           the policy checkpoint folder ({@link Kind#CHECKPOINT}); must exist on every executor
 * @param rewardDir           the reward checkpoint folder ({@link Kind#CHECKPOINT})
 * @param maxCompletionTokens the completion cap the runtime's KV cache is sized for
 * @param servers             the model servers ({@link Kind#REMOTE}), else null
 */
public record ModelSpec(Kind kind, String policyDir, String rewardDir, int maxCompletionTokens, Servers servers)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Room for the prompt in the runtime's context, on top of the completion cap. */
    static final int PROMPT_ALLOWANCE = 256;

    /** What a spec opens. */
    public enum Kind {
        /** The stories260K policy and the Bradley-Terry reward model shipped with qalign-djl. */
        EMBEDDED,
        /** Hugging Face checkpoint folders on the DJL runtime (CPU). */
        CHECKPOINT,
        /** The exactly enumerable toy models of qalign-core (tests and dry runs: no native code). */
        TOY,
        /** Model servers through qalign-remote (vLLM, SGLang, llama.cpp; one endpoint or a fleet per model). */
        REMOTE
    }

    /**
     * Model servers: each task opens its clients once per executor JVM.
     *
     * @param dialect          {@code vllm}, {@code sglang} or {@code llamacpp}
     * @param policyEndpoints  the policy's base URLs (a fleet when several), not empty
     * @param rewardEndpoints  the reward model's base URLs, not empty
     * @param policyTokenizer  a folder with the policy's tokenizer files on every executor, or null for the server's
     *                         {@code /tokenize}
     * @param rewardTokenizer  a folder with the reward model's tokenizer files, or null to score the policy's ids
     * @param rewardHead       the reward checkpoint folder whose {@code score.weight} is applied to llama.cpp
     *                         embeddings, or null
     */
    public record Servers(String dialect, List<String> policyEndpoints, List<String> rewardEndpoints,
                          String policyTokenizer, String rewardTokenizer, String rewardHead) implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * Validates the components.
         *
         * @param dialect         see the record description
         * @param policyEndpoints see the record description
         * @param rewardEndpoints see the record description
         * @param policyTokenizer see the record description
         * @param rewardTokenizer see the record description
         * @param rewardHead      see the record description
         */
        public Servers {
            dialectOf(dialect);
            policyEndpoints = List.copyOf(policyEndpoints);
            rewardEndpoints = List.copyOf(rewardEndpoints);
            if (policyEndpoints.isEmpty() || rewardEndpoints.isEmpty()) {
                throw new IllegalArgumentException("model servers need at least one policy and one reward endpoint");
            }
            for (String u : policyEndpoints) {
                checkUrl(u);
            }
            for (String u : rewardEndpoints) {
                checkUrl(u);
            }
        }

        private static void checkUrl(String u) {
            URI uri = URI.create(u);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("endpoint " + u + " must be an http:// or https:// URL");
            }
        }

        static Dialect dialectOf(String name) {
            return switch (name.toLowerCase(Locale.ROOT).replace(".", "").replace("-", "").replace("_", "")) {
                case "vllm" -> Dialect.VLLM;
                case "sglang" -> Dialect.SGLANG;
                case "llamacpp" -> Dialect.LLAMA_CPP;
                default -> throw new IllegalArgumentException("server dialect must be vllm, sglang or llamacpp, got '"
                        + name + "'");
            };
        }
    }

    /**
     * Validates the components.
     *
     * @param kind                see the record description
     * @param policyDir           see the record description
     * @param rewardDir           see the record description
     * @param maxCompletionTokens see the record description
     */
    public ModelSpec {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.CHECKPOINT && (policyDir == null || rewardDir == null)) {
            throw new IllegalArgumentException("a CHECKPOINT model spec needs both a policy and a reward folder");
        }
        if ((kind == Kind.REMOTE) != (servers != null)) {
            throw new IllegalArgumentException("model servers go with the REMOTE kind, and only with it");
        }
        if (maxCompletionTokens < 1) {
            throw new IllegalArgumentException("maxCompletionTokens must be >= 1, got " + maxCompletionTokens);
        }
    }

    /**
     * The embedded models.
     *
     * @param maxCompletionTokens the completion cap
     * @return the spec
     */
    public static ModelSpec embedded(int maxCompletionTokens) {
        return new ModelSpec(Kind.EMBEDDED, null, null, maxCompletionTokens, null);
    }

    /**
     * Checkpoint folders.
     *
     * @param policyDir           the policy folder
     * @param rewardDir           the reward model folder
     * @param maxCompletionTokens the completion cap
     * @return the spec
     */
    public static ModelSpec checkpoints(Path policyDir, Path rewardDir, int maxCompletionTokens) {
        return new ModelSpec(Kind.CHECKPOINT, policyDir.toString(), rewardDir.toString(), maxCompletionTokens,
                null);
    }

    /**
     * The toy models (a 3-symbol policy and a seeded reward), for tests.
     *
     * @param maxCompletionTokens the completion cap
     * @return the spec
     */
    public static ModelSpec toy(int maxCompletionTokens) {
        return new ModelSpec(Kind.TOY, null, null, maxCompletionTokens, null);
    }

    /**
     * Model servers.
     *
     * @param servers             the servers
     * @param maxCompletionTokens the completion cap
     * @return the spec
     */
    public static ModelSpec remote(Servers servers, int maxCompletionTokens) {
        return new ModelSpec(Kind.REMOTE, null, null, maxCompletionTokens, Objects.requireNonNull(servers));
    }

    /**
     * Opens the models; the caller closes them.
     *
     * @return the opened models
     */
    public LoadedModels open() {
        return switch (kind) {
            case TOY -> {
                ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(3).build();
                ToyRewardModel rm = ToyRewardModel.seeded(5, 1.0);
                yield new LoadedModels(lm, rm, () -> { });
            }
            case EMBEDDED -> openDjl(EmbeddedModels.stories260k(), EmbeddedModels.stories260kReward());
            case CHECKPOINT -> openDjl(Path.of(policyDir), Path.of(rewardDir));
            case REMOTE -> openRemote();
        };
    }

    private LoadedModels openRemote() {
        ServedModels served = ServedModels.open(Servers.dialectOf(servers.dialect()),
                servers.policyEndpoints().stream().map(URI::create).toList(),
                servers.rewardEndpoints().stream().map(URI::create).toList(), path(servers.policyTokenizer()),
                path(servers.rewardTokenizer()), path(servers.rewardHead()));
        return new LoadedModels(served.policy(), served.reward(), served::close);
    }

    private static Path path(String p) {
        return p == null ? null : Path.of(p);
    }

    private LoadedModels openDjl(Path policy, Path reward) {
        LlamaOptions options = LlamaOptions.builder().contextLength(maxCompletionTokens + PROMPT_ALLOWANCE).build();
        LlamaLanguageModel lm = LlamaLanguageModel.load(policy, options);
        try {
            LlamaRewardModel rm = LlamaRewardModel.load(reward, options, HfCheckpoint.sameTokenizer(policy, reward));
            return new LoadedModels(lm, rm, () -> {
                try {
                    rm.close();
                } finally {
                    lm.close();
                }
            });
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }
}
