package io.github.qalign.examples.cli;

import io.github.qalign.answer.AnswerFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.io.PromptsFile;
import io.github.qalign.model.SamplingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings line of a {@code qalign sample} output (the first line; see docs/jsonl-schema.md) and the check a
 * {@code --resume} makes against it.
 */
final class SampleSettings {

    /** Version of the JSON-lines layout; bumped when a field changes meaning. */
    static final int FORMAT_VERSION = 1;

    /** Name the settings line gives the embedded policy. */
    static final String EMBEDDED_POLICY = "embedded:stories260K";
    /** Name the settings line gives the embedded reward model. */
    static final String EMBEDDED_REWARD = "embedded:stories260K-rm";

    /**
     * Fields that do not have to match on {@code --resume}: the resolved beta and its source follow from the other
     * settings (and are taken from the file), and the prompts file may be named differently (its content is
     * compared through {@code prompts_sha256}).
     */
    static final Set<String> NOT_COMPARED = Set.of("beta", "beta_source", "prompts_source");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleSettings() {
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * The first difference between a file's settings and the current ones, ignoring {@link #NOT_COMPARED}.
     *
     * @return e.g. {@code "budget is 16 in the file, 32 now"}, or null when they match
     */
    static String difference(ObjectNode file, ObjectNode now) {
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (NOT_COMPARED.contains(e.getKey())) {
                continue;
            }
            JsonNode f = file.get(e.getKey());
            if (f == null) {
                return e.getKey() + " is missing in the file, " + e.getValue() + " now";
            }
            if (!sameValue(f, e.getValue())) {
                return e.getKey() + " is " + f + " in the file, " + e.getValue() + " now";
            }
        }
        for (Iterator<String> it = file.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!NOT_COMPARED.contains(k) && !now.has(k)) {
                return k + " is set in the file (" + file.get(k) + ") but unknown now";
            }
        }
        return null;
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.isIntegralNumber() && b.isIntegralNumber() ? a.bigIntegerValue().equals(b.bigIntegerValue())
                    : a.doubleValue() == b.doubleValue();
        }
        return a.equals(b);
    }

    /** SHA-256 of the prompts as canonical JSON lines (prompt first, then the other fields in file order). */
    static String promptsSha256(List<PromptsFile.Entry> entries) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (PromptsFile.Entry e : entries) {
                ObjectNode n = JSON.createObjectNode().put("prompt", e.prompt());
                n.setAll(e.fields());
                md.update((n + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static final class Builder {
        private Method method;
        private int budget;
        private int chains;
        private int chunkPrompts = 1;
        private BetaOptions betaOptions;
        private AnswerFormat answer;
        private SamplingConfig sampling;
        private long seed;
        private ModelOptions models;
        private Path promptsFile;
        private List<PromptsFile.Entry> prompts;

        Builder method(Method m) {
            this.method = m;
            return this;
        }

        Builder budget(int n) {
            this.budget = n;
            return this;
        }

        Builder chains(int c) {
            this.chains = c;
            return this;
        }

        Builder chunkPrompts(int k) {
            this.chunkPrompts = k;
            return this;
        }

        Builder betaOptions(BetaOptions o) {
            this.betaOptions = o;
            return this;
        }

        Builder answer(AnswerFormat a) {
            this.answer = a;
            return this;
        }

        Builder sampling(SamplingConfig s) {
            this.sampling = s;
            return this;
        }

        Builder seed(long s) {
            this.seed = s;
            return this;
        }

        Builder models(ModelOptions m) {
            this.models = m;
            return this;
        }

        /** @param file the prompts file, or null for {@code --prompt} */
        Builder prompts(Path file, List<PromptsFile.Entry> entries) {
            this.promptsFile = file;
            this.prompts = entries;
            return this;
        }

        /** The settings line, without the resolved {@code beta} and {@code beta_source} (added by the caller). */
        ObjectNode build() {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(sampling, "sampling");
            ObjectNode n = JSON.createObjectNode().put("type", "settings").put("format", "qalign-sample")
                    .put("format_version", FORMAT_VERSION).put("qalign_version", QalignCli.VERSION)
                    .put("method", method.cliName()).put("budget", budget).put("chains", chains);
            if (betaOptions.beta != null) {
                n.put("beta_option", betaOptions.beta.doubleValue());
            } else {
                n.putNull("beta_option");
            }
            if (betaOptions.targetAcceptance != null) {
                n.put("target_acceptance", betaOptions.targetAcceptance.doubleValue());
            } else {
                n.putNull("target_acceptance");
            }
            n.put("answer", answer.name().toLowerCase(Locale.ROOT));
            n.put("temperature", sampling.temperature()).put("max_tokens", sampling.maxCompletionTokens());
            if (sampling.topP().isPresent()) {
                n.put("top_p", sampling.topP().getAsDouble());
            } else {
                n.putNull("top_p");
            }
            if (sampling.topK().isPresent()) {
                n.put("top_k", sampling.topK().getAsInt());
            } else {
                n.putNull("top_k");
            }
            n.put("seed", seed);
            n.put("policy", models.policy == null ? EMBEDDED_POLICY : canonical(models.policy));
            n.put("reward", models.reward == null ? EMBEDDED_REWARD : canonical(models.reward));
            n.put("device", models.device);
            n.put("prompts_source", promptsFile == null ? "--prompt" : canonical(promptsFile));
            n.put("prompt_count", prompts.size()).put("prompts_sha256", promptsSha256(prompts));
            n.put("calibration_prompts", Math.min(CommandSupport.CALIBRATION_PROMPTS, prompts.size()))
                    .put("calibration_steps", CommandSupport.CALIBRATION_STEPS)
                    .put("chunk_prompts", chunkPrompts);
            return n;
        }

        private static String canonical(Path p) {
            return p.toAbsolutePath().normalize().toString();
        }
    }
}
