package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.tokenizer.ChatTemplate;
import io.github.qalign.tokenizer.HfTokenizer;
import io.github.qalign.tokenizer.TokenizerException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Hugging Face Llama checkpoint directory: {@code config.json} (+ optional {@code generation_config.json}),
 * weights as {@code model.safetensors} or as shards listed by {@code model.safetensors.index.json}, and optionally
 * {@code tokenizer.json} / {@code tokenizer_config.json}.
 *
 * <p>Opening validates the config, every safetensors header and the shard index; weights are loaded on demand and
 * validated against the shapes the config implies (see {@link #expectedShapes(LlamaConfig)}). The tokenizer files are
 * only needed when {@link #tokenizer()} is called. All failures are {@link CheckpointException}s naming the file and
 * tensor or field.
 *
 * <p>The folder is untrusted: every side file present ({@code config.json}, {@code generation_config.json}, the shard
 * index, {@code tokenizer.json}, {@code tokenizer_config.json}) is checked against its size cap before anything is
 * read, every config value against its bound before anything is allocated from it ({@link LlamaConfig}), and error
 * messages never quote file contents at length ({@link CheckpointFiles}). Shard names must name files directly in the
 * folder. Symbolic links are followed (the Hugging Face cache links every snapshot file into its blob store), so a
 * folder can make this class read any regular file the user can read, within the caps; nothing read is echoed.
 */
public final class HfCheckpoint implements AutoCloseable {

    /** Name of the config file. */
    public static final String CONFIG = "config.json";
    /** Name of the generation config file. */
    public static final String GENERATION_CONFIG = "generation_config.json";
    /** Name of the single-file weights. */
    public static final String WEIGHTS = "model.safetensors";
    /** Name of the shard index. */
    public static final String WEIGHTS_INDEX = "model.safetensors.index.json";
    /** Name of the tokenizer file. */
    public static final String TOKENIZER = "tokenizer.json";
    /** Name of the tokenizer config file. */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private final Path dir;
    private final LlamaConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;
    private final Map<String, long[]> expected;

    private HfCheckpoint(Path dir, LlamaConfig config, List<SafetensorsFile> files,
                         Map<String, SafetensorsFile> byTensor) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.byTensor = byTensor;
        this.expected = expectedShapes(config);
    }

    /**
     * Opens a checkpoint directory.
     *
     * @param dir the directory
     * @return the open checkpoint (close it to release the weight files; loaded arrays stay valid)
     * @throws CheckpointException if the directory, config or weights are missing or malformed
     */
    public static HfCheckpoint open(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "checkpoint directory not found");
        }
        Path configFile = dir.resolve(CONFIG);
        if (!Files.exists(configFile)) {
            throw new CheckpointException(configFile, "missing " + CONFIG + " in checkpoint directory");
        }
        // every side file present is checked against its cap before anything is read (see CheckpointFiles)
        for (String side : new String[] {CONFIG, GENERATION_CONFIG, WEIGHTS_INDEX, TOKENIZER, TOKENIZER_CONFIG}) {
            Path f = dir.resolve(side);
            if (Files.exists(f) || side.equals(CONFIG)) {
                CheckpointFiles.checkSize(f, CheckpointFiles.capOf(side));
            }
        }
        LlamaConfig config = LlamaConfigJson.read(configFile, dir.resolve(GENERATION_CONFIG));
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new TreeMap<>();
        try {
            Path index = dir.resolve(WEIGHTS_INDEX);
            Path single = dir.resolve(WEIGHTS);
            if (Files.exists(index)) {
                openSharded(dir, index, files, byTensor);
            } else if (Files.isRegularFile(single)) {
                SafetensorsFile f = SafetensorsFile.open(single);
                files.add(f);
                for (String name : f.names()) {
                    byTensor.put(name, f);
                }
            } else {
                String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                        ? " (found pytorch_model.bin: only safetensors checkpoints are supported)" : "";
                throw new CheckpointException(single, "missing weights: neither " + WEIGHTS + " nor "
                        + WEIGHTS_INDEX + " exists" + hint);
            }
            HfCheckpoint ck = new HfCheckpoint(dir, config, Collections.unmodifiableList(files),
                    Collections.unmodifiableMap(byTensor));
            ck.validateShapes();
            return ck;
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static void openSharded(Path dir, Path index, List<SafetensorsFile> files,
                                    Map<String, SafetensorsFile> byTensor) {
        JsonNode root = LlamaConfigJson.readJson(index);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject() || map.size() == 0) {
            throw CheckpointException.field(index, "weight_map", "missing or empty (expected an object from tensor "
                    + "name to shard file name)");
        }
        // absolute: a directory given as "." or "" has no parent to compare shard paths with
        Path base = dir.toAbsolutePath().normalize();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String tensor = e.getKey();
            if (!e.getValue().isTextual()) {
                throw CheckpointException.field(index, "weight_map", "the entry of tensor " + CheckpointFiles.quote(tensor)
                        + " must be a shard file name, got " + CheckpointFiles.describe(e.getValue()));
            }
            String shardName = e.getValue().asText();
            Path shardPath;
            try {
                shardPath = base.resolve(shardName).normalize();
            } catch (java.nio.file.InvalidPathException ex) {
                shardPath = null;
            }
            if (shardName.isEmpty() || shardPath == null || !base.equals(shardPath.getParent())) {
                throw CheckpointException.field(index, "weight_map", "invalid shard file name: the entry of tensor "
                        + CheckpointFiles.quote(tensor) + " names " + CheckpointFiles.quote(shardName)
                        + ", not a file of the checkpoint directory");
            }
            shardPath = dir.resolve(shardName).normalize();
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                if (!Files.isRegularFile(shardPath)) {
                    throw new CheckpointException(shardPath, tensor, "shard named by " + WEIGHTS_INDEX
                            + " is missing", null);
                }
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
                files.add(shard);
            }
            if (!shard.names().contains(tensor)) {
                throw new CheckpointException(shardPath, tensor, WEIGHTS_INDEX
                        + " places this tensor in this shard but the shard does not contain it", null);
            }
            byTensor.put(tensor, shard);
        }
    }

    private void validateShapes() {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            SafetensorsFile f = byTensor.get(e.getKey());
            if (f == null) {
                throw new CheckpointException(files.isEmpty() ? dir : files.get(0).path(), e.getKey(),
                        "missing tensor required by " + config.architecture() + " (expected shape "
                                + Arrays.toString(e.getValue()) + ")", null);
            }
            checkShape(f, e.getKey(), e.getValue());
        }
        SafetensorsFile head = byTensor.get("lm_head.weight");
        if (head != null) {
            checkShape(head, "lm_head.weight", new long[] {config.vocabSize(), config.hiddenSize()});
        }
    }

    private static void checkShape(SafetensorsFile f, String name, long[] want) {
        long[] got = f.info(name).shape();
        if (!Arrays.equals(got, want)) {
            throw new CheckpointException(f.path(), name, "shape " + Arrays.toString(got)
                    + " does not match the config (expected " + Arrays.toString(want) + ")", null);
        }
    }

    /**
     * Whether two checkpoint folders tokenize alike: byte-identical {@code tokenizer.json} and
     * {@code tokenizer_config.json} (each present in both or absent in both). A reward model whose tokenizer equals the
     * policy's can score the policy's ids directly instead of re-rendering text. Files over the side-file caps are a
     * {@link CheckpointException}, as when they are loaded.
     *
     * @param a a checkpoint folder
     * @param b another
     * @return true if both files agree
     * @throws CheckpointException if a file is over its cap or unreadable
     */
    public static boolean sameTokenizer(Path a, Path b) {
        for (String f : List.of(TOKENIZER, TOKENIZER_CONFIG)) {
            Path fa = a.resolve(f);
            Path fb = b.resolve(f);
            boolean ea = Files.isRegularFile(fa);
            if (ea != Files.isRegularFile(fb)) {
                return false;
            }
            if (!ea) {
                continue;
            }
            CheckpointFiles.checkSize(fa, CheckpointFiles.capOf(f));
            CheckpointFiles.checkSize(fb, CheckpointFiles.capOf(f));
            try {
                if (Files.size(fa) != Files.size(fb) || Files.mismatch(fa, fb) != -1L) {
                    return false;
                }
            } catch (java.io.IOException e) {
                throw new CheckpointException(fa, null, "cannot compare with " + fb + ": " + e.getMessage(), e);
            }
        }
        return true;
    }

    /**
     * The tensors (HF names, in a stable order) that a checkpoint of this config must contain, with their shapes.
     * {@code lm_head.weight [V, D]} is included for an untied causal LM; {@code score.weight [numLabels, D]} for
     * sequence classification.
     *
     * @param c the config
     * @return an ordered map from tensor name to shape
     */
    public static Map<String, long[]> expectedShapes(LlamaConfig c) {
        long d = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new long[] {d});
            m.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            m.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
            m.put(p + "mlp.gate_proj.weight", new long[] {inter, d});
            m.put(p + "mlp.up_proj.weight", new long[] {inter, d});
            m.put(p + "mlp.down_proj.weight", new long[] {d, inter});
        }
        m.put("model.norm.weight", new long[] {d});
        if (c.isSequenceClassification()) {
            m.put("score.weight", new long[] {c.numLabels(), d});
        } else if (!c.tieWordEmbeddings()) {
            m.put("lm_head.weight", new long[] {c.vocabSize(), d});
        }
        return m;
    }

    /**
     * The parsed config.
     *
     * @return the config
     */
    public LlamaConfig config() {
        return config;
    }

    /**
     * The checkpoint directory.
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * Every tensor name in the weights (including ones the model does not use, e.g. {@code rotary_emb.inv_freq}).
     *
     * @return an unmodifiable sorted set
     */
    public Set<String> tensorNames() {
        return byTensor.keySet();
    }

    /**
     * The safetensors header entry of a tensor.
     *
     * @param hfTensorName tensor name
     * @return the entry
     * @throws CheckpointException if there is no such tensor
     */
    public TensorInfo info(String hfTensorName) {
        return file(hfTensorName).info(hfTensorName);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new CheckpointException(dir, name, "no such tensor in the checkpoint", null);
        }
        return f;
    }

    /**
     * Loads one tensor; shapes of tensors the config determines were validated on {@link #open}.
     *
     * @param hfTensorName HF tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
     * @param manager      manager that will own the array
     * @param target       {@link DataType#FLOAT32} or {@link DataType#FLOAT16}
     * @return the array
     * @throws CheckpointException if the tensor is missing or unreadable
     */
    public NDArray load(String hfTensorName, NDManager manager, DataType target) {
        DjlRuntime.engine();
        SafetensorsFile f = file(hfTensorName);
        long[] want = expected.get(hfTensorName);
        if (want != null) {
            checkShape(f, hfTensorName, want);
        }
        return f.load(hfTensorName, manager, target);
    }

    /**
     * Loads every tensor the model needs ({@link #expectedShapes(LlamaConfig)}, plus {@code lm_head.weight} when a
     * tied checkpoint stores it anyway). Unused tensors are skipped.
     *
     * @param manager manager that will own the arrays
     * @param target  {@link DataType#FLOAT32} or {@link DataType#FLOAT16}
     * @return tensor name to array, in {@link #expectedShapes} order
     */
    public Map<String, NDArray> loadAll(NDManager manager, DataType target) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(expected.keySet());
        if (!expected.containsKey("lm_head.weight") && byTensor.containsKey("lm_head.weight")
                && !config.isSequenceClassification()) {
            names.add("lm_head.weight");
        }
        try {
            for (String name : names) {
                out.put(name, load(name, manager, target));
            }
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        return out;
    }

    /**
     * Creates the tokenizer of this checkpoint from {@code tokenizer.json} (and {@code tokenizer_config.json} when
     * present). Each call returns a new instance that the caller must close; it stays usable after this checkpoint
     * is closed.
     *
     * @return a new tokenizer
     * @throws CheckpointException if {@code tokenizer.json} is missing or malformed
     */
    public HfTokenizer tokenizer() {
        try {
            return HfTokenizer.open(dir);
        } catch (TokenizerException e) {
            throw new CheckpointException(e.file(), null, e.reason(), e);
        }
    }

    /**
     * The chat template of {@code tokenizer_config.json}, if any.
     *
     * @return the template, or empty when there is no tokenizer config or it has no {@code chat_template}
     * @throws CheckpointException if the tokenizer config is malformed
     */
    public Optional<ChatTemplate> chatTemplate() {
        try {
            return ChatTemplate.fromTokenizerConfig(dir.resolve(TOKENIZER_CONFIG));
        } catch (TokenizerException e) {
            throw new CheckpointException(e.file(), null, e.reason(), e);
        }
    }

    /** Closes the weight files; arrays already loaded stay valid. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "HfCheckpoint[" + dir + ", " + config + ", " + byTensor.size() + " tensors in " + files.size()
                + " file(s)]";
    }
}
