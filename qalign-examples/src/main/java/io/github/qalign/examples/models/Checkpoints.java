package io.github.qalign.examples.models;

import ai.djl.Device;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Opens policy and reward checkpoints with the DJL Llama runtime. */
public final class Checkpoints {

    /** Rows per batched forward pass. */
    public static final int MAX_BATCH = 64;
    /** Positions reserved for the prompt on top of the completion cap when sizing the KV cache. */
    public static final int PROMPT_ALLOWANCE = 256;

    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(?::(\\d+))?");

    private Checkpoints() {
    }

    /** The embedded stories260K policy directory. */
    public static Path embeddedPolicy() {
        return EmbeddedModels.stories260k();
    }

    /**
     * Parses a device name.
     *
     * @param name cpu, gpu or gpu:N
     * @return the DJL device
     * @throws IllegalArgumentException naming the bad value
     */
    public static Device device(String name) {
        Matcher m = DEVICE.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got '" + name + "'");
        }
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        return m.group(1) == null ? Device.gpu() : Device.gpu(Integer.parseInt(m.group(1)));
    }

    /** Runtime options: the device, batch {@value #MAX_BATCH}, KV slots sized for the completion cap. */
    public static LlamaOptions options(String device, int maxCompletionTokens) {
        return LlamaOptions.builder().device(device(device)).maxBatchSize(MAX_BATCH)
                .contextLength(maxCompletionTokens + PROMPT_ALLOWANCE).build();
    }

    /** A policy; close it when done. */
    public static LlamaLanguageModel openPolicy(Path dir, String device, int maxCompletionTokens) {
        return LlamaLanguageModel.load(dir, options(device, maxCompletionTokens));
    }

    /**
     * A reward model; close it when done. It scores the policy's own ids ({@code prompt ++ completion}) when its
     * tokenizer files equal the policy's (as for the embedded pair), else it re-renders prompt and completion text
     * with its own tokenizer and chat template.
     */
    public static LlamaRewardModel openReward(Path dir, Path policyDir, String device, int maxCompletionTokens) {
        return LlamaRewardModel.load(dir, options(device, maxCompletionTokens), sameTokenizer(dir, policyDir));
    }

    /** Whether two checkpoints have byte-identical tokenizer files ({@link HfCheckpoint#sameTokenizer}). */
    public static boolean sameTokenizer(Path a, Path b) {
        return HfCheckpoint.sameTokenizer(a, b);
    }
}
