package io.github.qalign.spark;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Which models a job's tasks open: a small serializable description shipped to every executor, which opens the
 * models once per JVM ({@link ModelCache}).
 *
 * @param kind                what to open
 * @param policyDir           the policy checkpoint folder ({@link Kind#CHECKPOINT}); must exist on every executor
 * @param rewardDir           the reward checkpoint folder ({@link Kind#CHECKPOINT})
 * @param maxCompletionTokens the completion cap the runtime's KV cache is sized for
 */
public record ModelSpec(Kind kind, String policyDir, String rewardDir, int maxCompletionTokens) implements Serializable {

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
        TOY
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
        return new ModelSpec(Kind.EMBEDDED, null, null, maxCompletionTokens);
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
        return new ModelSpec(Kind.CHECKPOINT, policyDir.toString(), rewardDir.toString(), maxCompletionTokens);
    }

    /**
     * The toy models (a 3-symbol policy and a seeded reward), for tests.
     *
     * @param maxCompletionTokens the completion cap
     * @return the spec
     */
    public static ModelSpec toy(int maxCompletionTokens) {
        return new ModelSpec(Kind.TOY, null, null, maxCompletionTokens);
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
        };
    }

    private LoadedModels openDjl(Path policy, Path reward) {
        LlamaOptions options = LlamaOptions.builder().contextLength(maxCompletionTokens + PROMPT_ALLOWANCE).build();
        LlamaLanguageModel lm = LlamaLanguageModel.load(policy, options);
        try {
            LlamaRewardModel rm = LlamaRewardModel.load(reward, options, sameTokenizer(policy, reward));
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

    private static boolean sameTokenizer(Path a, Path b) {
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            try {
                Path fa = a.resolve(f);
                Path fb = b.resolve(f);
                boolean ea = Files.isRegularFile(fa);
                if (ea != Files.isRegularFile(fb)) {
                    return false;
                }
                if (ea && !Arrays.equals(Files.readAllBytes(fa), Files.readAllBytes(fb))) {
                    return false;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + f + " of " + a + " or " + b, e);
            }
        }
        return true;
    }
}
