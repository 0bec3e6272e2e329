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
        JsonNode config = readJson(configJson, CheckpointFiles.MAX_CONFIG_BYTES);
        JsonNode generation = null;
        if (generationConfigJson != null && Files.exists(generationConfigJson)) {
            generation = readJson(generationConfigJson, CheckpointFiles.MAX_GENERATION_CONFIG_BYTES);
        }
        return parse(configJson, config, generationConfigJson, generation);
    }

    /**
     * Reads a JSON file into a tree, as a {@link CheckpointException} naming the file on failure; the cap is
     * {@link CheckpointFiles#capOf(String)} of the file's name.
     *
     * @param file the JSON file
     * @return its root node (an object)
     */
    static JsonNode readJson(Path file) {
        return readJson(file, CheckpointFiles.capOf(String.valueOf(file.getFileName())));
    }

    /**
     * Reads a JSON file of at most {@code cap} bytes into a tree. Parse errors report the line and column only,
     * never an excerpt of the file (see {@link CheckpointFiles}).
     *
     * @param file the JSON file
     * @param cap  the largest size accepted
     * @return its root node (an object)
     */
    static JsonNode readJson(Path file, long cap) {
        byte[] bytes = CheckpointFiles.readBounded(file, cap);
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file, "not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new CheckpointException(file, null, "corrupt JSON" + where, null);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e.getClass().getSimpleName(), e);
        }
    }

    static LlamaConfig parse(Path file, JsonNode c, Path genFile, JsonNode gen) {
        String architecture = architecture(file, c);
        if (optionalBoolean(file, c, "attention_bias", false)) {
            throw CheckpointException.field(file, "attention_bias", "attention_bias=true is not supported (Llama has "
                    + "no biases)");
        }
        if (optionalBoolean(file, c, "mlp_bias", false)) {
            throw CheckpointException.field(file, "mlp_bias", "mlp_bias=true is not supported (Llama has no biases)");
        }
        int vocab = requiredInt(file, c, "vocab_size", LlamaConfig.MAX_VOCAB_SIZE);
        int hidden = requiredInt(file, c, "hidden_size", LlamaConfig.MAX_HIDDEN_SIZE);
        int inter = requiredInt(file, c, "intermediate_size", LlamaConfig.MAX_INTERMEDIATE_SIZE);
        int layers = requiredInt(file, c, "num_hidden_layers", LlamaConfig.MAX_LAYERS);
        int heads = requiredInt(file, c, "num_attention_heads", LlamaConfig.MAX_HEADS);
        int kvHeads = optionalInt(file, c, "num_key_value_heads", heads, 1, LlamaConfig.MAX_HEADS);
        if (!c.hasNonNull("head_dim") && hidden % heads != 0) {
            throw CheckpointException.field(file, "head_dim", "not given and hidden_size " + hidden
                    + " is not divisible by num_attention_heads " + heads);
        }
        int headDim = optionalInt(file, c, "head_dim", hidden / heads, 1, LlamaConfig.MAX_HEAD_DIM);
        if (headDim % 2 != 0) {
            throw CheckpointException.field(file, "head_dim", "must be even for RoPE, got " + headDim);
        }
        if (heads % kvHeads != 0) {
            throw CheckpointException.field(file, "num_key_value_heads", "num_attention_heads " + heads
                    + " must be a multiple of it, got " + kvHeads);
        }
        int maxPos = optionalInt(file, c, "max_position_embeddings", 2048, 1, LlamaConfig.MAX_POSITION_EMBEDDINGS);
        double eps = optionalDouble(file, c, "rms_norm_eps", 1e-6);
        if (!(eps > 0 && eps < 1)) {
            throw CheckpointException.field(file, "rms_norm_eps", "must be in (0, 1), got " + eps);
        }
        double theta = optionalDouble(file, c, "rope_theta", 10000.0);
        if (!(theta > 0)) {
            throw CheckpointException.field(file, "rope_theta", "must be > 0, got " + theta);
        }
        LlamaConfig.RopeScaling scaling = ropeScaling(file, c.get("rope_scaling"));
        boolean tie = optionalBoolean(file, c, "tie_word_embeddings", false);
        boolean seqCls = LlamaConfig.SEQUENCE_CLASSIFICATION.equals(architecture);
        int labels;
        if (c.hasNonNull("id2label") && c.get("id2label").isObject() && c.get("id2label").size() > 0) {
            labels = c.get("id2label").size();
        } else {
            labels = optionalInt(file, c, "num_labels", seqCls ? 2 : 0, 0, LlamaConfig.MAX_LABELS);
        }
        if (labels > LlamaConfig.MAX_LABELS) {
            throw CheckpointException.field(file, "id2label", "has " + labels + " labels, more than "
                    + LlamaConfig.MAX_LABELS);
        }
        int bos = optionalInt(file, c, "bos_token_id", -1, -1, Integer.MAX_VALUE);
        int pad = optionalInt(file, c, "pad_token_id", -1, -1, Integer.MAX_VALUE);
        Set<Integer> eos = new LinkedHashSet<>(ids(file, c, "eos_token_id"));
        if (gen != null) {
            eos.addAll(ids(genFile, gen, "eos_token_id"));
            if (bos < 0) {
                bos = optionalInt(genFile, gen, "bos_token_id", -1, -1, Integer.MAX_VALUE);
            }
            if (pad < 0) {
                pad = optionalInt(genFile, gen, "pad_token_id", -1, -1, Integer.MAX_VALUE);
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
            JsonNode type = c.path("model_type");
            if (!type.isTextual() || !type.asText().equals("llama")) {
                throw CheckpointException.field(file, "model_type", "no 'architectures' and model_type is "
                        + CheckpointFiles.describe(type) + ", not 'llama'");
            }
            arch = LlamaConfig.CAUSAL_LM;
        } else if (archs.isArray() && archs.size() == 1 && archs.get(0).isTextual()) {
            arch = archs.get(0).asText();
        } else if (archs.isTextual()) {
            arch = archs.asText();
        } else {
            throw CheckpointException.field(file, "architectures", "must be a one-element string array, got "
                    + CheckpointFiles.describe(archs));
        }
        if (!arch.equals(LlamaConfig.CAUSAL_LM) && !arch.equals(LlamaConfig.SEQUENCE_CLASSIFICATION)) {
            throw CheckpointException.field(file, "architectures", "unsupported architecture "
                    + CheckpointFiles.quote(arch) + " (supported: " + LlamaConfig.CAUSAL_LM + ", "
                    + LlamaConfig.SEQUENCE_CLASSIFICATION + ")");
        }
        return arch;
    }

    private static LlamaConfig.RopeScaling ropeScaling(Path file, JsonNode s) {
        if (s == null || s.isNull()) {
            return null;
        }
        if (!s.isObject()) {
            throw CheckpointException.field(file, "rope_scaling", "must be an object or null, got "
                    + CheckpointFiles.describe(s));
        }
        String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("");
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw CheckpointException.field(file, "rope_scaling.rope_type", "unsupported rope_scaling type "
                    + CheckpointFiles.quote(type) + " (supported: llama3)");
        }
        try {
            return new LlamaConfig.RopeScaling(
                    requiredDouble(file, s, "factor", "rope_scaling."),
                    requiredDouble(file, s, "low_freq_factor", "rope_scaling."),
                    requiredDouble(file, s, "high_freq_factor", "rope_scaling."),
                    optionalInt(file, s, "original_max_position_embeddings", -1, 1,
                            LlamaConfig.MAX_POSITION_EMBEDDINGS, "rope_scaling.", true));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, "field 'rope_scaling': " + e.getMessage(), e);
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
                if (!e.isInt() || e.asInt() < 0) {
                    throw CheckpointException.field(file, field, "must hold non-negative integers, got "
                            + CheckpointFiles.describe(e));
                }
                out.add(e.asInt());
            }
        } else if (n.isInt() && n.asInt() >= 0) {
            out.add(n.asInt());
        } else {
            throw CheckpointException.field(file, field, "must be a non-negative integer or a list of them, got "
                    + CheckpointFiles.describe(n));
        }
        return out;
    }

    private static int requiredInt(Path file, JsonNode c, String field, int max) {
        return optionalInt(file, c, field, -1, 1, max, "", true);
    }

    private static int optionalInt(Path file, JsonNode c, String field, int dflt, int min, int max) {
        return optionalInt(file, c, field, dflt, min, max, "", false);
    }

    /** An integer field in [min, max]; larger JSON integers and non-integers are rejected by value, not wrapped. */
    private static int optionalInt(Path file, JsonNode c, String field, int dflt, int min, int max, String prefix,
                                   boolean required) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw CheckpointException.field(file, prefix + field, "missing required field");
            }
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            throw CheckpointException.field(file, prefix + field, "must be an integer in [" + min + ", " + max
                    + "], got " + CheckpointFiles.describe(n));
        }
        if (!n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw CheckpointException.field(file, prefix + field, "must be in [" + min + ", " + max + "], got "
                    + CheckpointFiles.describe(n));
        }
        return n.asInt();
    }

    private static double requiredDouble(Path file, JsonNode c, String field, String prefix) {
        if (!c.hasNonNull(field)) {
            throw CheckpointException.field(file, prefix + field, "missing required field");
        }
        return optionalDouble(file, c, field, 0, prefix);
    }

    private static double optionalDouble(Path file, JsonNode c, String field, double dflt) {
        return optionalDouble(file, c, field, dflt, "");
    }

    /** A finite number ({@code 1e400} parses as infinity and is rejected). */
    private static double optionalDouble(Path file, JsonNode c, String field, double dflt, String prefix) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw CheckpointException.field(file, prefix + field, "must be a number, got "
                    + CheckpointFiles.describe(n));
        }
        double v = n.asDouble();
        if (!Double.isFinite(v)) {
            throw CheckpointException.field(file, prefix + field, "must be a finite number, got "
                    + CheckpointFiles.describe(n) + " (parses as " + v + ")");
        }
        return v;
    }

    private static boolean optionalBoolean(Path file, JsonNode c, String field, boolean dflt) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw CheckpointException.field(file, field, "must be a boolean, got " + CheckpointFiles.describe(n));
        }
        return n.asBoolean();
    }
}
