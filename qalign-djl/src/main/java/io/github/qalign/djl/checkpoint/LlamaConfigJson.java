package io.github.qalign.djl.checkpoint;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.djl.LlamaConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parses a Hugging Face {@code config.json} (plus an optional {@code generation_config.json}) of a Llama-family
 * model into a {@link LlamaConfig}, and writes one back (used by the llama2.c converter).
 *
 * <p>Supported: {@code LlamaForCausalLM} and {@code LlamaForSequenceClassification} (Llama 2, 3, 3.1, 3.2, Tulu 3
 * and their reward models), grouped-query attention, {@code head_dim}, {@code tie_word_embeddings},
 * {@code rope_scaling} of type {@code llama3} (key {@code rope_type} or legacy {@code type}), {@code eos_token_id}
 * as an int or a list (merged with the ids of {@code generation_config.json}). Defaults follow Hugging Face's
 * {@code LlamaConfig}: {@code num_key_value_heads = num_attention_heads}, {@code head_dim = hidden_size /
 * num_attention_heads}, {@code rms_norm_eps = 1e-6}, {@code rope_theta = 10000}, {@code tie_word_embeddings =
 * false}, {@code max_position_embeddings = 2048}; the label count is the size of {@code id2label}, else
 * {@code num_labels}, else 2 for sequence classification (0 for a causal LM). Anything else (other architectures,
 * other RoPE scaling types, attention or MLP biases) is rejected with a {@link CheckpointException} naming the file
 * and field.
 */
public final class LlamaConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LlamaConfigJson() {
    }

    /**
     * The {@code config.json} object of a config, with Hugging Face's key names and {@code model_type "llama"}.
     *
     * @param c         the config
     * @param extraKeys further entries (e.g. {@code torch_dtype}); overridden by the config's own keys
     * @return a JSON object with keys in sorted order (as {@code save_pretrained} writes them)
     */
    public static ObjectNode toJson(LlamaConfig c, Map<String, Object> extraKeys) {
        Map<String, Object> m = new TreeMap<>(extraKeys);
        m.put("architectures", List.of(c.architecture()));
        m.put("attention_bias", false);
        m.put("bos_token_id", c.bosTokenId() < 0 ? null : c.bosTokenId());
        int[] eos = c.eosTokenIds();
        m.put("eos_token_id", eos.length == 0 ? null : eos.length == 1 ? (Object) eos[0]
                : java.util.Arrays.stream(eos).boxed().toList());
        m.put("head_dim", c.headDim());
        m.put("hidden_act", "silu");
        m.put("hidden_size", c.hiddenSize());
        m.put("intermediate_size", c.intermediateSize());
        m.put("max_position_embeddings", c.maxPositionEmbeddings());
        m.put("mlp_bias", false);
        m.put("model_type", "llama");
        m.put("num_attention_heads", c.numAttentionHeads());
        m.put("num_hidden_layers", c.numHiddenLayers());
        m.put("num_key_value_heads", c.numKeyValueHeads());
        m.put("pad_token_id", c.padTokenId() < 0 ? null : c.padTokenId());
        m.put("rms_norm_eps", c.rmsNormEps());
        m.put("rope_theta", c.ropeTheta());
        if (c.ropeScaling() == null) {
            m.put("rope_scaling", null);
        } else {
            Map<String, Object> rs = new TreeMap<>();
            rs.put("factor", c.ropeScaling().factor());
            rs.put("high_freq_factor", c.ropeScaling().highFreqFactor());
            rs.put("low_freq_factor", c.ropeScaling().lowFreqFactor());
            rs.put("original_max_position_embeddings", c.ropeScaling().originalMaxPositionEmbeddings());
            rs.put("rope_type", "llama3");
            m.put("rope_scaling", rs);
        }
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("vocab_size", c.vocabSize());
        if (c.isSequenceClassification()) {
            Map<String, Object> id2label = new TreeMap<>();
            Map<String, Object> label2id = new TreeMap<>();
            for (int i = 0; i < c.numLabels(); i++) {
                id2label.put(Integer.toString(i), "LABEL_" + i);
                label2id.put("LABEL_" + i, i);
            }
            m.put("id2label", id2label);
            m.put("label2id", label2id);
        }
        return JSON.valueToTree(m);
    }

    /**
     * Serializes JSON the way {@code transformers} does ({@code indent=2}, {@code ": "} separators, a final
     * newline), deterministically.
     *
     * @param node the JSON
     * @return UTF-8 bytes
     */
    public static byte[] prettyBytes(JsonNode node) {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            String s = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writer(pp).writeValueAsString(node);
            return (s + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code config.json}.
     *
     * @param c    the config
     * @param file destination
     */
    public static void write(LlamaConfig c, Path file) {
        try {
            Files.write(file, prettyBytes(toJson(c, Map.of())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Reads a config.
     *
     * @param configJson           path of {@code config.json}
     * @param generationConfigJson path of {@code generation_config.json}, or null; ignored when the file is absent
     * @return the parsed config
     * @throws CheckpointException if a file is missing or malformed, or describes an unsupported model
     */
    public static LlamaConfig read(Path configJson, Path generationConfigJson) {
        JsonNode config = readJson(configJson);
        JsonNode generation = null;
        if (generationConfigJson != null && Files.isRegularFile(generationConfigJson)) {
            generation = readJson(generationConfigJson);
        }
        return parse(configJson, config, generationConfigJson, generation);
    }

    /**
     * Reads a JSON file into a tree, as a {@link CheckpointException} naming the file on failure.
     *
     * @param file the JSON file
     * @return its root node (an object)
     */
    static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "file not found");
        }
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file, "not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointException(file, null, "corrupt JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e.getMessage(), e);
        }
    }

    static LlamaConfig parse(Path file, JsonNode c, Path genFile, JsonNode gen) {
        String architecture = architecture(file, c);
        if (c.path("attention_bias").asBoolean(false)) {
            throw new CheckpointException(file, "attention_bias=true is not supported (Llama has no biases)");
        }
        if (c.path("mlp_bias").asBoolean(false)) {
            throw new CheckpointException(file, "mlp_bias=true is not supported (Llama has no biases)");
        }
        int vocab = requiredInt(file, c, "vocab_size");
        int hidden = requiredInt(file, c, "hidden_size");
        int inter = requiredInt(file, c, "intermediate_size");
        int layers = requiredInt(file, c, "num_hidden_layers");
        int heads = requiredInt(file, c, "num_attention_heads");
        int kvHeads = optionalInt(file, c, "num_key_value_heads", heads);
        if (heads <= 0) {
            throw new CheckpointException(file, "num_attention_heads must be > 0, got " + heads);
        }
        int headDim = optionalInt(file, c, "head_dim", hidden / heads);
        if (!c.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new CheckpointException(file, "hidden_size " + hidden + " is not divisible by num_attention_heads "
                    + heads + " and head_dim is not given");
        }
        int maxPos = optionalInt(file, c, "max_position_embeddings", 2048);
        double eps = optionalDouble(file, c, "rms_norm_eps", 1e-6);
        double theta = optionalDouble(file, c, "rope_theta", 10000.0);
        LlamaConfig.RopeScaling scaling = ropeScaling(file, c.get("rope_scaling"));
        boolean tie = optionalBoolean(file, c, "tie_word_embeddings", false);
        boolean seqCls = LlamaConfig.SEQUENCE_CLASSIFICATION.equals(architecture);
        int labels;
        if (c.hasNonNull("id2label") && c.get("id2label").isObject() && c.get("id2label").size() > 0) {
            labels = c.get("id2label").size();
        } else {
            labels = optionalInt(file, c, "num_labels", seqCls ? 2 : 0);
        }
        int bos = optionalInt(file, c, "bos_token_id", -1);
        int pad = optionalInt(file, c, "pad_token_id", -1);
        Set<Integer> eos = new LinkedHashSet<>(ids(file, c, "eos_token_id"));
        if (gen != null) {
            eos.addAll(ids(genFile, gen, "eos_token_id"));
            if (bos < 0) {
                bos = optionalInt(genFile, gen, "bos_token_id", -1);
            }
            if (pad < 0) {
                pad = optionalInt(genFile, gen, "pad_token_id", -1);
            }
        }
        int[] eosIds = eos.stream().mapToInt(Integer::intValue).toArray();
        try {
            return new LlamaConfig(architecture, vocab, hidden, inter, layers, heads, kvHeads, headDim, maxPos, eps,
                    theta, scaling, tie, labels, bos, eosIds, pad);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, "invalid config: " + e.getMessage(), e);
        }
    }

    private static String architecture(Path file, JsonNode c) {
        JsonNode archs = c.get("architectures");
        String arch;
        if (archs == null || archs.isNull()) {
            String type = c.path("model_type").asText("");
            if (!type.equals("llama")) {
                throw new CheckpointException(file, "no 'architectures' and model_type '" + type
                        + "' is not 'llama'");
            }
            arch = LlamaConfig.CAUSAL_LM;
        } else if (archs.isArray() && archs.size() == 1 && archs.get(0).isTextual()) {
            arch = archs.get(0).asText();
        } else if (archs.isTextual()) {
            arch = archs.asText();
        } else {
            throw new CheckpointException(file, "'architectures' must be a one-element string array, got " + archs);
        }
        if (!arch.equals(LlamaConfig.CAUSAL_LM) && !arch.equals(LlamaConfig.SEQUENCE_CLASSIFICATION)) {
            throw new CheckpointException(file, "unsupported architecture '" + arch + "' (supported: "
                    + LlamaConfig.CAUSAL_LM + ", " + LlamaConfig.SEQUENCE_CLASSIFICATION + ")");
        }
        return arch;
    }

    private static LlamaConfig.RopeScaling ropeScaling(Path file, JsonNode s) {
        if (s == null || s.isNull()) {
            return null;
        }
        if (!s.isObject()) {
            throw new CheckpointException(file, "'rope_scaling' must be an object or null, got " + s);
        }
        String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("");
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new CheckpointException(file, "unsupported rope_scaling type '" + type
                    + "' (supported: llama3)");
        }
        try {
            return new LlamaConfig.RopeScaling(
                    requiredDouble(file, s, "factor"),
                    requiredDouble(file, s, "low_freq_factor"),
                    requiredDouble(file, s, "high_freq_factor"),
                    requiredInt(file, s, "original_max_position_embeddings"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, e.getMessage(), e);
        }
    }

    private static List<Integer> ids(Path file, JsonNode c, String field) {
        JsonNode n = c.get(field);
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                JsonNode e = it.next();
                if (!e.isInt()) {
                    throw new CheckpointException(file, "'" + field + "' must hold integers, got " + n);
                }
                out.add(e.asInt());
            }
        } else if (n.isInt()) {
            out.add(n.asInt());
        } else {
            throw new CheckpointException(file, "'" + field + "' must be an integer or a list of integers, got " + n);
        }
        return out;
    }

    private static int requiredInt(Path file, JsonNode c, String field) {
        if (!c.hasNonNull(field)) {
            throw new CheckpointException(file, "missing required field '" + field + "'");
        }
        return optionalInt(file, c, field, 0);
    }

    private static int optionalInt(Path file, JsonNode c, String field, int dflt) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isInt()) {
            throw new CheckpointException(file, "field '" + field + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static double requiredDouble(Path file, JsonNode c, String field) {
        if (!c.hasNonNull(field)) {
            throw new CheckpointException(file, "missing required field '" + field + "'");
        }
        return optionalDouble(file, c, field, 0);
    }

    private static double optionalDouble(Path file, JsonNode c, String field, double dflt) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new CheckpointException(file, "field '" + field + "' must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static boolean optionalBoolean(Path file, JsonNode c, String field, boolean dflt) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new CheckpointException(file, "field '" + field + "' must be a boolean, got " + n);
        }
        return n.asBoolean();
    }
}
